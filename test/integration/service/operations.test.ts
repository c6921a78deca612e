// What the operator relies on, against the real stack: /metrics on a port of its own (never on
// the main port then), with the outbox's backlog; a SIGTERM first turns /readyz to 503 while the
// service still serves for the drain delay, then the process stops; its first log line names
// its version.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startServiceProcess } from '../../../scripts/serviceProcess';
import { freeTcpPort } from '../../../scripts/stack/ports';
import { waitFor } from '../../support/isolation';
import { CLINIC_TOKEN, processEnv, startService, testConfig } from './harness';

jest.setTimeout(60_000);

const root = path.resolve(__dirname, '../../..');

test('when the database was never migrated, then the service refuses to start and says to run the migration', async () => {
  const config = testConfig();
  const child = spawn(process.execPath, ['--import', 'tsx', 'webhook-service/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', MONGODB_URI: config.MONGODB_URI, REDIS_URL: config.REDIS_URL as string, LIVEKIT_URL: config.LIVEKIT_URL, LIVEKIT_API_KEY: config.LIVEKIT_API_KEY, LIVEKIT_API_SECRET: config.LIVEKIT_API_SECRET, CLINIC_API_TOKEN: CLINIC_TOKEN, PORT: '0', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(1);
  expect(stderr).toContain('the database lacks indexes');
  expect(stderr).toContain('npm run migrate');
});

test('when the migration runs twice, then the second run changes nothing and the service starts on it', async () => {
  const config = testConfig();
  for (let run = 0; run < 2; run += 1) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], { cwd: root, env: { PATH: process.env.PATH ?? '', MONGODB_URI: config.MONGODB_URI }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    expect({ code: await new Promise<number | null>((resolve) => child.once('exit', resolve)), output }).toEqual({ code: 0, output: expect.stringMatching(/^migrate: \d+ collections and their indexes are in place/) });
  }
  const service = await startServiceProcess({ port: await freeTcpPort(), stdio: 'ignore', migrate: false, env: processEnv(config) });
  expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
  await service.stop();
});

test('when METRICS_PORT is set, then /metrics answers there with the autostart_ metrics and the outbox backlog, and not on the main port', async () => {
  const target = await startService(testConfig({ METRICS_PORT: '0', CLINIC_WEBHOOK_URLS: 'http://127.0.0.1:9/hooks', CLINIC_WEBHOOK_SECRET: `whsec_${Buffer.from('operations-test-secret-0123').toString('base64')}` }));
  try {
    const metricsPort = target.service.metricsPort();
    expect(metricsPort).not.toBeNull();
    expect((await fetch(`${target.url}/metrics`)).status).toBe(404);
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    // The endpoint by its name (a bare URL is named after itself), never its URL.
    expect(text).toMatch(/^autostart_outbox_failed_deliveries\{endpoint="url-[0-9a-f]{12}"\} 0$/m);
    expect(text).toMatch(/^autostart_outbox_pending_deliveries\{endpoint="url-[0-9a-f]{12}"\} 0$/m);
    expect(text).toMatch(/^autostart_outbox_due_chains 0$/m);
    expect(text).toMatch(/^autostart_reconcile_repairs_total\{kind="join"\} 0$/m);
    expect(text).toContain('autostart_http_request_duration_seconds_bucket{le="0.005",method="GET",route="unmatched",status="404"}');
    expect(text.split('\n').filter((line) => /^[a-z]/.test(line) && !/^(autostart_|process_|nodejs_)/.test(line))).toEqual([]);
  } finally {
    await target.stop();
  }
});

test('when the process gets SIGTERM with a drain delay, then /readyz answers 503 while it still serves, and then it exits 0', async () => {
  const config = testConfig();
  const service = await startServiceProcess({
    port: await freeTcpPort(),
    stdio: 'pipe',
    env: processEnv(config, { LOG_LEVEL: 'info', SHUTDOWN_DRAIN_DELAY_MS: '3000', READINESS_CACHE_MS: '0' }),
  });
  let stdout = '';
  service.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => service.child.once('exit', resolve));
  expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
  const signalled = Date.now();
  service.child.kill('SIGTERM');
  const draining = await waitFor(async () => {
    const response = await fetch(`${service.url}/readyz`);
    return response.status === 503 ? ((await response.json()) as { status: string }) : null;
  });
  expect(draining.status).toBe('draining');
  expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
  expect(await exit).toBe(0);
  expect(Date.now() - signalled).toBeGreaterThanOrEqual(3000);
  const started = stdout.split('\n').map((line) => (line ? (JSON.parse(line) as Record<string, unknown>) : null)).find((line) => line?.msg === 'webhook service started');
  expect(started).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
});
