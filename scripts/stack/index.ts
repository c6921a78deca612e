// The local stack of real servers: FerretDB (MongoDB wire protocol), Redis and LiveKit, each on a
// free loopback port, logging into one directory, with its data in a temp dir removed at stop.
// A server given by the environment (MONGODB_URI, REDIS_URL, LIVEKIT_URL + LIVEKIT_API_KEY +
// LIVEKIT_API_SECRET) is used as it is instead of being started.
//
// Used as a module (`startStack`, by the test setup and the demo) and as a CLI
// (`npm run stack`: start, print the endpoints, stay up until Ctrl-C).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { livekitHttpUrl, startLivekitCluster } from './livekitCluster';
import { freeTcpPort, loopback } from './ports';
import { livekitAnswersOk, mongoAnswersPing, redisAnswersPing, tcpAccepts } from './probes';
import { serviceEnv } from '../shared/serviceEnv';
import { running, ServerProcess } from './ServerProcess';

export interface StackEndpoints {
  /** e.g. `mongodb://127.0.0.1:PORT/`, with no database name. */
  mongoUri: string;
  redisUrl: string;
  /** `ws://127.0.0.1:PORT`: the first LiveKit node. */
  livekitUrl: string;
  livekitApiKey: string;
  livekitApiSecret: string;
  /** LiveKit posts its webhooks to `http://127.0.0.1:<webhookPort>/livekit/webhook`. */
  webhookPort: number;
}

export interface Stack extends StackEndpoints {
  /** Every LiveKit node's URL (one unless the stack was started with several nodes). */
  livekitNodeUrls: string[];
  stop(): Promise<void>;
  logDir: string;
}

export interface StackOptions {
  /** Where each server writes `<name>.log`. @defaultValue `.stack/logs/<timestamp>` */
  logDir?: string;
  /** Port the service under test will listen on for LiveKit's webhooks. @defaultValue a free port */
  webhookPort?: number;
  /**
   * LiveKit nodes, sharing the stack's Redis as one cluster (LiveKit's multi-node mode).
   * @defaultValue 1 (a single node without Redis)
   */
  livekitNodes?: number;
}

const root = path.resolve(__dirname, '../..');
const bin = (name: string) => path.join(root, '.stack', 'bin', name);
const readyTimeoutMs = 30_000;

export function stackEnv(e: StackEndpoints): Record<string, string> {
  return {
    MONGODB_URI: e.mongoUri,
    REDIS_URL: e.redisUrl,
    LIVEKIT_URL: e.livekitUrl,
    LIVEKIT_API_KEY: e.livekitApiKey,
    LIVEKIT_API_SECRET: e.livekitApiSecret,
    STACK_WEBHOOK_PORT: String(e.webhookPort),
  };
}

export { livekitHttpUrl };

/** The prebuilt livekit-server the bootstrap installed, for tests that run LiveKit nodes of their own. */
export const livekitBinary = (): string => requireBinary('livekit-server', 'LIVEKIT_URL');

function requireBinary(name: string, envVar: string): string {
  const file = bin(name);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: run \`node scripts/bootstrap.mjs\`, or set ${envVar} to use a server of your own`);
  }
  return file;
}

async function startRedis(dataDir: string, logDir: string): Promise<{ url: string; server: ServerProcess }> {
  const port = await freeTcpPort();
  const url = `redis://${loopback}:${port}`;
  // As production should run it (README): AOF on, fsync every second, and no eviction of queue keys.
  const args = ['--bind', loopback, '--port', String(port), '--dir', dataDir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction'];
  const spec = { name: 'redis', command: 'redis-server', args, cwd: dataDir, ready: () => redisAnswersPing(url), readyTimeoutMs, stopSignals: ['SIGTERM' as const] };
  return { url, server: ServerProcess.start(spec, logDir) };
}

export interface FerretdbOptions {
  /** Its SQLite files go to `<dataDir>/ferretdb`; a restart on the same dir finds what was stored. */
  dataDir: string;
  logDir: string;
  /** @defaultValue a free port; a restart passes the port it had, so clients find it again. */
  port?: number;
}

/**
 * FerretDB v1.24 opens its SQLite files in WAL mode (busy_timeout 10 s) and leaves `synchronous`
 * at SQLite's FULL: an fsync of the WAL on every commit, and FerretDB commits every insert
 * command on its own. Under the intake's load that made FerretDB's tail (8 concurrent writers
 * here: p99 181-285 ms, max 0.4-1.3 s; with NORMAL: p99 26-52 ms, max about 110 ms, 2-3x the
 * inserts per second). NORMAL in WAL mode keeps every commit through a crash of the process
 * (what test/integration/service/databaseRestart.test.ts does with SIGKILL) and never corrupts
 * the files; only a power cut or an OS crash can take back the last commits, which a test
 * stack whose files are removed at stop does not need to survive. A deployment runs MongoDB.
 */
const SQLITE_DURABILITY = '_pragma=synchronous(normal)';

/** FerretDB on SQLite, on loopback. Exported for the tests that kill and restart a database of their own. */
export async function startFerretdb({ dataDir, logDir, port: wanted }: FerretdbOptions): Promise<{ uri: string; server: ServerProcess }> {
  const port = wanted ?? (await freeTcpPort());
  const uri = `mongodb://${loopback}:${port}/`;
  const sqliteDir = path.join(dataDir, 'ferretdb');
  fs.mkdirSync(sqliteDir, { recursive: true });
  const args = [
    '--handler=sqlite',
    `--sqlite-url=file:${sqliteDir}/?${SQLITE_DURABILITY}`,
    `--listen-addr=${loopback}:${port}`,
    `--state-dir=${sqliteDir}`,
    '--debug-addr=-', // no metrics/pprof HTTP listener
    '--telemetry=disable',
  ];
  const ready = async () => (await tcpAccepts(loopback, port)) && mongoAnswersPing(uri);
  const spec = { name: 'ferretdb', command: requireBinary('ferretdb', 'MONGODB_URI'), args, cwd: dataDir, ready, readyTimeoutMs, stopSignals: ['SIGTERM' as const] };
  return { uri, server: ServerProcess.start(spec, logDir) };
}

function defaultLogDir(): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return path.join(root, '.stack', 'logs', `${stamp}-${process.pid}`);
}

async function waitForExisting(name: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${name} from the environment does not answer`, { cause: lastError });
}

function livekitFromEnv(): { url: string; apiKey: string; apiSecret: string } | undefined {
  const { LIVEKIT_URL: url, LIVEKIT_API_KEY: apiKey, LIVEKIT_API_SECRET: apiSecret } = process.env;
  if (!url) return undefined;
  if (!apiKey || !apiSecret) throw new Error('LIVEKIT_URL is set: set LIVEKIT_API_KEY and LIVEKIT_API_SECRET too');
  return { url, apiKey, apiSecret };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const logDir = path.resolve(options.logDir ?? defaultLogDir());
  fs.mkdirSync(logDir, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'counseling-stack-'));
  const webhookPort = options.webhookPort ?? (await freeTcpPort());
  const servers: ServerProcess[] = [];
  installExitGuards();

  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    fs.rmSync(dataDir, { recursive: true, force: true });
    liveStacks.delete(dataDir);
  };
  liveStacks.set(dataDir, stop);

  try {
    const envMongo = process.env.MONGODB_URI;
    const envRedis = process.env.REDIS_URL;
    const envLivekit = livekitFromEnv();
    const mongo = envMongo ? undefined : await startFerretdb({ dataDir, logDir });
    const redis = envRedis ? undefined : await startRedis(dataDir, logDir);
    for (const started of [mongo, redis]) if (started) servers.push(started.server);
    const livekitNodes = options.livekitNodes ?? 1;
    // A single node needs no Redis; several share the stack's as one cluster, and a node whose
    // Redis does not answer at start exits.
    if (livekitNodes > 1 && !envLivekit) await (envRedis ? waitForExisting('REDIS_URL', () => redisAnswersPing(envRedis)) : redis!.server.waitReady());
    const livekit = envLivekit
      ? undefined
      : await startLivekitCluster({
          nodes: livekitNodes,
          redisUrl: livekitNodes > 1 ? (envRedis ?? redis!.url) : undefined,
          webhookPort,
          dataDir,
          logDir,
          command: requireBinary('livekit-server', 'LIVEKIT_URL'),
        });
    for (const node of livekit?.nodes ?? []) servers.push(node.server);

    const endpoints: StackEndpoints = {
      mongoUri: envMongo ?? mongo!.uri,
      redisUrl: envRedis ?? redis!.url,
      livekitUrl: envLivekit?.url ?? livekit!.nodes[0]!.url,
      livekitApiKey: envLivekit?.apiKey ?? livekit!.keys.apiKey,
      livekitApiSecret: envLivekit?.apiSecret ?? livekit!.keys.apiSecret,
      webhookPort,
    };
    await Promise.all([
      ...servers.map((server) => server.waitReady()),
      ...(livekit ? [livekit.waitReady()] : []),
      ...(envMongo ? [waitForExisting('MONGODB_URI', () => mongoAnswersPing(envMongo))] : []),
      ...(envRedis ? [waitForExisting('REDIS_URL', () => redisAnswersPing(envRedis))] : []),
      ...(envLivekit ? [waitForExisting('LIVEKIT_URL', () => livekitAnswersOk(livekitHttpUrl(envLivekit.url)))] : []),
    ]);
    const livekitNodeUrls = envLivekit ? [envLivekit.url] : livekit!.nodes.map((node) => node.url);
    return { ...endpoints, livekitNodeUrls, logDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// A test run or the CLI may end in many ways; none may leave a server behind. SIGINT/SIGTERM
// stop every live stack and then exit with the conventional code; on any other exit the
// remaining children get a SIGKILL and the data dirs go, all an 'exit' handler can still do
// (it must be synchronous). Handlers are added, never replaced: tsx's own signal relay must stay.
const liveStacks = new Map<string, () => Promise<void>>();
let guardsInstalled = false;
function installExitGuards(): void {
  if (guardsInstalled) return;
  guardsInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
    for (const dataDir of liveStacks.keys()) fs.rmSync(dataDir, { recursive: true, force: true });
  });
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      const stops = [...liveStacks.values()].map((stop) => stop());
      void Promise.allSettled(stops).then(() => process.exit(code));
    });
  }
}

/**
 * What `npm run stack` tells a person to export: exactly what the service needs, so that the
 * exports start it as they are (a database named in the URI, which the service requires, a clinic
 * key drawn for this run, and the port LiveKit's webhooks go to).
 */
export function serviceExports(stack: StackEndpoints): Record<string, string> {
  return { ...serviceEnv(stack, { database: 'counseling', clinicApiToken: randomBytes(24).toString('base64url') }), PORT: String(stack.webhookPort) };
}

/** `--livekit-nodes N` from the command line. */
function livekitNodesArg(argv: readonly string[]): number {
  const at = argv.indexOf('--livekit-nodes');
  if (at === -1) return 1;
  const nodes = Number(argv[at + 1]);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 8) throw new Error('--livekit-nodes expects an integer from 1 to 8');
  return nodes;
}

async function main(): Promise<void> {
  const stack = await startStack({ livekitNodes: livekitNodesArg(process.argv.slice(2)) });
  const env = serviceExports(stack);
  console.log(`Stack is up. Logs: ${path.relative(process.cwd(), stack.logDir) || '.'}`);
  console.log(`  MongoDB API (FerretDB)  ${stack.mongoUri}`);
  console.log(`  Redis                   ${stack.redisUrl}`);
  for (const [index, url] of stack.livekitNodeUrls.entries()) {
    const name = stack.livekitNodeUrls.length === 1 ? 'LiveKit' : `LiveKit node ${index + 1}`;
    console.log(`  ${name.padEnd(23)} ${url}  (webhooks to http://${loopback}:${stack.webhookPort}/livekit/webhook)`);
  }
  if (stack.livekitNodeUrls.length > 1) console.log('  (one cluster through the Redis above: clients and API calls may use any node)');
  console.log('\nExport these in another shell, then `npm start` (or `node dist/service/main.js`) runs the service on it:');
  for (const [name, value] of Object.entries(env)) console.log(`export ${name}='${value}'`);
  console.log('\nCtrl-C stops everything.');
  // The exit guards stop the stack and exit; this only says so.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => console.log('\nStopping ...'));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
