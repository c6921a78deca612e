// The production image cannot be built here (no Docker engine), so this checks what can go wrong
// without one: the Dockerfile's stages (a build stage, a runtime stage on the same Node LTS with
// no compiler or TypeScript loader, a non-root user, a health check on /healthz, node running the
// compiled entry point), and the compiled entry point itself, run under the newest supported Node
// major (the image's, from .stack/node-lts, which the bootstrap installs) against the real stack.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { mongoUriFor, uniqueName, waitFor } from '../support/isolation';
import { freeTcpPort } from '../../scripts/stack/ports';

jest.setTimeout(90_000);

const root = path.resolve(__dirname, '..', '..');
const NEWEST_NODE_MAJOR = 26;
const newestNode = path.join(root, '.stack', 'node-lts', 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node');

describe('the Dockerfile', () => {
  const lines = fs
    .readFileSync(path.join(root, 'Dockerfile'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() && !line.trim().startsWith('#'));
  const stages = lines.filter((line) => line.startsWith('FROM '));

  test('builds in one stage and runs in another, both on the same Node LTS image', () => {
    expect(stages).toEqual([`FROM node:${NEWEST_NODE_MAJOR}-bookworm-slim AS build`, `FROM node:${NEWEST_NODE_MAJOR}-bookworm-slim AS runtime`]);
  });

  test('the runtime stage has production dependencies only, the compiled service, a non-root user, a health check and node as its command', () => {
    const runtime = lines.slice(lines.indexOf(stages[1] as string));
    expect(runtime).toContain('RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force');
    expect(runtime).toContain('COPY --from=build /app/dist/service ./dist/service');
    expect(runtime.filter((line) => line.startsWith('USER '))).toEqual(['USER node']);
    expect(runtime.some((line) => line.startsWith('HEALTHCHECK ') || line.includes('/healthz'))).toBe(true);
    expect(runtime.at(-1)).toBe('CMD ["node", "dist/service/main.js"]');
    expect(runtime.join('\n')).not.toMatch(/tsx|typescript|COPY \. \./);
  });

  test('the runtime stage carries OCI labels (title, version, revision) and hands the revision to the service for /version', () => {
    const runtime = lines.slice(lines.indexOf(stages[1] as string)).join('\n');
    for (const label of ['title', 'version', 'revision', 'licenses']) expect(runtime).toContain(`org.opencontainers.image.${label}=`);
    expect(runtime).toMatch(/ENV .*AUTOSTART_REVISION=\$\{AUTOSTART_REVISION\}/);
  });
});

test(`the compiled service runs under Node ${NEWEST_NODE_MAJOR} without a TypeScript loader, is ready against the real stack, and stops on SIGTERM`, async () => {
  const build = spawnSync('npm', ['run', 'build:service'], { cwd: root, encoding: 'utf8' });
  expect(build.status).toBe(0);
  const entry = path.join(root, 'dist', 'service', 'main.js');
  expect(fs.readFileSync(entry, 'utf8')).not.toMatch(/require\("tsx|from "tsx/);
  // The doctor is compiled beside it and loads its packages (rtc-node among them) on that Node too.
  const doctor = spawnSync(newestNode, [path.join(root, 'dist', 'service', 'doctor.js'), '--no-such-option'], { cwd: root, encoding: 'utf8' });
  expect({ status: doctor.status, stderr: doctor.stderr }).toEqual({ status: 2, stderr: expect.stringContaining('usage: doctor') });
  expect(spawnSync(newestNode, ['--version'], { encoding: 'utf8' }).stdout.trim()).toMatch(new RegExp(`^v${NEWEST_NODE_MAJOR}\\.`));

  // The compiled migration, as a deployment runs it before the first start; twice changes nothing.
  const mongoUri = mongoUriFor(uniqueName('autostart_compiled').replaceAll('-', '_'));
  for (let run = 0; run < 2; run += 1) {
    const migrate = spawnSync(newestNode, [path.join(root, 'dist', 'service', 'migrate.js')], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH, MONGODB_URI: mongoUri } });
    expect({ status: migrate.status, stderr: migrate.stderr }).toEqual({ status: 0, stderr: '' });
  }

  const port = await freeTcpPort();
  const child = spawn(newestNode, [entry], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      MONGODB_URI: mongoUri,
      REDIS_URL: process.env.REDIS_URL,
      LIVEKIT_URL: process.env.LIVEKIT_URL,
      LIVEKIT_API_KEY: process.env.LIVEKIT_API_KEY,
      LIVEKIT_API_SECRET: process.env.LIVEKIT_API_SECRET,
      CLINIC_API_TOKEN: 'compiled-service-token-0123456789',
      BULLMQ_PREFIX: uniqueName('compiled'),
      SESSION_COPY_PREFIX: uniqueName('compiled-copy'),
      LOG_LEVEL: 'warn',
    },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const ready = await waitFor(
      async () => {
        const response = await fetch(`http://127.0.0.1:${port}/readyz`);
        return response.status === 200 ? response.json() : null;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    ).catch((error: unknown) => {
      throw new Error(`not ready: ${stderr}`, { cause: error });
    });
    expect(ready).toMatchObject({ status: 'ready', checks: { mongodb: 'ok', redis: 'ok', livekit: 'ok' } });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  } finally {
    child.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
});
