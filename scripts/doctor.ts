// `npm run doctor` (in the image: `node dist/service/doctor.js`): checks the configuration,
// MongoDB, Redis, LiveKit's API, the clocks and the whole LiveKit -> service webhook path, with
// the service's own environment. Exit 0 only when the webhook path works; 1 when a check failed;
// 2 on a bad command line.
//
//   --service-url=URL     where the service answers (default http://127.0.0.1:$PORT)
//   --timeout-seconds=N   how long to wait for the probe's webhook (default 20)
//   --json                the report as JSON instead of text
import { version } from '../package.json';
import { formatReport } from '../webhook-service/doctor/report';
import { runDoctor } from '../webhook-service/doctor/runDoctor';

function option(args: readonly string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return args.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((arg) => !/^--(service-url|timeout-seconds)=./.test(arg) && arg !== '--json');
  const timeout = option(args, 'timeout-seconds');
  if (unknown.length > 0 || (timeout !== undefined && !/^[1-9]\d*$/.test(timeout))) {
    process.stderr.write(`usage: doctor [--service-url=URL] [--timeout-seconds=N] [--json]${unknown.length > 0 ? `\nunknown: ${unknown.join(' ')}` : ''}\n`);
    process.exit(2);
  }
  const report = await runDoctor({
    env: process.env,
    version,
    serviceUrl: option(args, 'service-url')?.replace(/\/+$/, ''),
    webhookTimeoutMs: timeout === undefined ? undefined : Number(timeout) * 1000,
  });
  process.stdout.write(`${args.includes('--json') ? JSON.stringify(report, null, 2) : formatReport(report)}\n`);
  process.exit(report.ok ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`doctor failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
