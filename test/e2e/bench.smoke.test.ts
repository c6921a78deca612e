// A tiny run of every part of the benchmark harness (`npm run bench`) against the e2e stack and
// service, so the harness cannot rot. It checks that each part measures and reports; the
// figures themselves are printed by `npm run bench`, never asserted here (a shared 2-core
// machine is too noisy for timing assertions).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBench, type BenchService } from '../../bench/harness';
import type { StackEndpoints } from '../../scripts/stack';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the e2e global setup provides it`);
  return value;
};

test('when the harness runs in smoke mode, then every section reports figures and no webhook is lost', async () => {
  const stack: StackEndpoints = {
    mongoUri: required('MONGODB_URI'),
    redisUrl: required('REDIS_URL'),
    livekitUrl: required('LIVEKIT_URL'),
    livekitApiKey: required('LIVEKIT_API_KEY'),
    livekitApiSecret: required('LIVEKIT_API_SECRET'),
    webhookPort: Number(required('STACK_WEBHOOK_PORT')),
  };
  const service: BenchService = {
    url: required('SERVICE_URL'),
    pid: Number(required('SERVICE_PID')),
    clinicToken: required('CLINIC_API_TOKEN'),
    mongoUri: required('SERVICE_MONGODB_URI'),
  };
  const lines: string[] = [];
  const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
  const { rows, results } = await runBench({ smoke: true, stack, service, resultsDir, log: (line) => lines.push(line) });

  expect(new Set(rows.map((row) => row.section))).toEqual(new Set(['ingest', 'start', 'surge', 'growth', 'history', 'group', 'widget']));
  expect(results.group).toMatchObject({ pair: { non2xx: 0, lostEvents: 0 }, group: { non2xx: 0, lostEvents: 0, webhooks: 65 } });
  for (const row of rows) expect(row.value).not.toMatch(/NaN|undefined/);
  const ingest = results.ingest as { serviceSteps: { lostEvents: number; non2xx: number }[] };
  expect(ingest.serviceSteps.length).toBeGreaterThan(0);
  for (const step of ingest.serviceSteps) expect(step).toMatchObject({ lostEvents: 0, non2xx: 0 });
  const start = results.start as { sessions: number; failures: string[] };
  expect(start).toMatchObject({ sessions: 2, failures: [] });
  // Every pair of the small surge ends active, and no webhook is given up.
  const surge = results.surge as { sessions: number; active: number; givenUp: number };
  expect(surge).toMatchObject({ sessions: 20, active: 20, givenUp: 0 });
  const widget = results.widget as { startToFirstFrame: { pages: number; max: number } };
  expect(widget.startToFirstFrame).toMatchObject({ pages: 2, max: expect.any(Number) });
  expect(lines.some((line) => line.startsWith('section'))).toBe(true);
  // The JSON and its picture, side by side: the page draws the run's own ingest and start figures.
  const written = fs.readdirSync(resultsDir).sort();
  expect(written).toEqual([expect.stringMatching(/^bench-.*\.html$/), expect.stringMatching(/^bench-.*\.json$/)]);
  const page = fs.readFileSync(path.join(resultsDir, written[0] as string), 'utf8');
  expect(page).toContain('data-series="ours"');
  expect((page.match(/<svg /g) ?? []).length).toBe(5);
  fs.rmSync(resultsDir, { recursive: true, force: true });
}, 300_000);
