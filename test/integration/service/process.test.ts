// The service as a process: a bad configuration stops it with a message naming the variable;
// SIGTERM shuts it down cleanly.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startServiceProcess } from '../../../scripts/serviceProcess';
import { freeTcpPort } from '../../../scripts/stack/ports';
import { processEnv, testConfig } from './harness';

const root = path.resolve(__dirname, '../../..');

test('when a variable is invalid, then the process exits with a message naming it and what it expects', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'webhook-service/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', REDIS_URL: 'not-a-url' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(2);
  expect(stderr).toContain('REDIS_URL is invalid: expected a redis:// or rediss:// URL');
  expect(stderr).toContain('MONGODB_URI is missing');
});

test('when the process gets SIGTERM, then it stops serving and exits 0', async () => {
  const config = testConfig();
  const service = await startServiceProcess({
    port: await freeTcpPort(),
    stdio: 'ignore',
    env: processEnv(config),
  });
  expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
  const exit = new Promise<number | null>((resolve) => service.child.once('exit', resolve));
  await service.stop();
  expect(await exit).toBe(0);
  await expect(fetch(`${service.url}/healthz`)).rejects.toThrow();
});
