// `npm run migrate` (in the image: `node dist/service/migrate.js`): creates the collections and
// indexes of MONGODB_URI's database (or MONGODB_URI_FILE's), idempotently. Run it before a
// version first serves; the service itself only checks that they exist. Exit 0 when done, 1 on
// failure, 2 on a bad MONGODB_URI.
import { ConfigError, loadConfig } from '../webhook-service/config';
import { migrateDatabase } from '../webhook-service/store/migrate';

async function main(): Promise<void> {
  let uri: string;
  try {
    // Only the database is needed: the other required settings get harmless stand-ins.
    uri = loadConfig({ LIVEKIT_URL: 'ws://127.0.0.1:1', LIVEKIT_API_KEY: '-', LIVEKIT_API_SECRET: '-', REDIS_URL: 'redis://127.0.0.1:1', CLINIC_API_TOKEN: 'migrate-needs-no-clinic-key', ...pick(process.env, ['MONGODB_URI', 'MONGODB_URI_FILE']) }).MONGODB_URI;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const started = Date.now();
  const collections = await migrateDatabase(uri);
  process.stdout.write(`migrate: ${collections.length} collections and their indexes are in place (${collections.join(', ')}) in ${Date.now() - started} ms\n`);
}

function pick(env: NodeJS.ProcessEnv, names: string[]): Record<string, string | undefined> {
  return Object.fromEntries(names.map((name) => [name, env[name]]));
}

main().catch((error: unknown) => {
  process.stderr.write(`migrate failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
