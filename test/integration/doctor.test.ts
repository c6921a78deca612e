// `npm run doctor` against a real LiveKit whose webhooks go to a service of this test's own: the
// whole path works (exit 0); LiveKit signs with a key the service does not verify with (exit 1,
// and the report names the key to set); no service listens (exit 1, and it says so).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { livekitBinary } from '../../scripts/stack';
import { startLivekitCluster, type LivekitCluster } from '../../scripts/stack/livekitCluster';
import { freeTcpPort } from '../../scripts/stack/ports';
import type { Config } from '../../webhook-service/config';
import type { DoctorReport } from '../../webhook-service/doctor/report';
import { createLogger } from '../../webhook-service/logger';
import { createService, type Service } from '../../webhook-service/main';
import { migrateDatabase } from '../../webhook-service/store/migrate';
import { processEnv, testConfig } from './service/harness';

jest.setTimeout(120_000);

const root = path.resolve(__dirname, '../..');
let cluster: LivekitCluster | undefined;
let livekit: { url: string; apiKey: string; apiSecret: string };
let webhookPort: number;
let running: Service | null = null;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'autostart-doctor-'));

// A LiveKit of this test's own: the shared stack's posts its webhooks to the e2e service.
beforeAll(async () => {
  webhookPort = await freeTcpPort();
  const logDir = path.join(root, '.stack', 'logs', `doctor-test-${process.pid}`);
  fs.mkdirSync(logDir, { recursive: true });
  cluster = await startLivekitCluster({ nodes: 1, webhookPort, dataDir, logDir, command: livekitBinary() });
  await cluster.waitReady();
  livekit = { url: (cluster.nodes[0] as { url: string }).url, apiKey: cluster.keys.apiKey, apiSecret: cluster.keys.apiSecret };
});

afterEach(async () => {
  await running?.stop();
  running = null;
});

afterAll(async () => {
  await cluster?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The service's environment, pointed at this test's LiveKit. */
function envFor(extra: Record<string, string> = {}): Record<string, string> {
  const config = testConfig();
  return processEnv(config, {
    SESSION_COPY_PREFIX: config.SESSION_COPY_PREFIX,
    LIVEKIT_URL: livekit.url,
    LIVEKIT_API_KEY: livekit.apiKey,
    LIVEKIT_API_SECRET: livekit.apiSecret,
    PORT: String(webhookPort),
    ...extra,
  });
}

async function startServiceWith(env: Record<string, string>): Promise<void> {
  const config = testConfig(env) as Config;
  await migrateDatabase(config.MONGODB_URI);
  running = await createService(config, { api: true, worker: true }, createLogger('silent'));
  await running.listen(webhookPort, '127.0.0.1');
}

async function doctor(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; report: DoctorReport; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/doctor.ts', '--json', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  let report: DoctorReport;
  try {
    report = JSON.parse(stdout) as DoctorReport;
  } catch {
    throw new Error(`the doctor printed no report (exit ${code}): ${stdout}\n${stderr}`);
  }
  return { code, report, stderr };
}

const check = (report: DoctorReport, name: string) => report.checks.find((found) => found.name === name);

test('when LiveKit posts its webhooks to the service with the key the service verifies, then the doctor passes every check and exits 0', async () => {
  const env = envFor();
  await startServiceWith(env);
  const { code, report } = await doctor(env);
  expect(report.checks.filter((found) => found.status === 'fail')).toEqual([]);
  expect(code).toBe(0);
  expect(report.ok).toBe(true);
  expect(check(report, 'webhook-path')).toMatchObject({ status: 'ok', detail: expect.stringContaining(`signed with "${livekit.apiKey}"`) });
  expect(check(report, 'cleanup')?.status).toBe('ok');
  console.log(`doctor on the local stack: ${check(report, 'webhook-path')?.detail}; ${check(report, 'clock')?.detail}`);
  for (const name of ['configuration', 'mongodb', 'redis', 'livekit-api', 'clock', 'service']) expect(check(report, name)?.status).toMatch(/^(ok|warn)$/);
});

test('when the service verifies webhooks with another key than the one LiveKit signs with, then the doctor fails and names the key to set', async () => {
  const env = envFor({ LIVEKIT_WEBHOOK_API_KEY: 'APIsomeOtherKey', LIVEKIT_WEBHOOK_API_SECRET: 'the-secret-of-some-other-key-0000' });
  await startServiceWith(env);
  const { code, report } = await doctor(env);
  expect(code).toBe(1);
  const path = check(report, 'webhook-path');
  expect(path).toMatchObject({ status: 'fail', detail: expect.stringContaining('unauthorized') });
  expect(path?.cause).toContain(`LiveKit signs its webhooks with the API key "${livekit.apiKey}" but the service verifies them with "APIsomeOtherKey"`);
  expect(path?.cause).toContain(`LIVEKIT_WEBHOOK_API_KEY=${livekit.apiKey}`);
  expect(JSON.stringify(report)).not.toContain('the-secret-of-some-other-key-0000');
  console.log(`doctor with a wrong webhook key: ${path?.detail}`);
  expect(check(report, 'cleanup')?.status).toBe('ok');
});

test('when no service listens where LiveKit posts, then the doctor fails and says the service does not answer', async () => {
  const { code, report } = await doctor(envFor(), ['--timeout-seconds=3']);
  expect(code).toBe(1);
  expect(check(report, 'service')?.status).toBe('warn');
  expect(check(report, 'webhook-path')).toMatchObject({ status: 'fail', cause: expect.stringContaining('does not answer') });
});
