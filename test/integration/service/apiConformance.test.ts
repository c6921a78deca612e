// The clinic API against its own OpenAPI document, by Schemathesis (installed, pinned, by the
// bootstrap into .stack/schemathesis): every operation, every check, the examples, coverage,
// fuzzing and stateful phases (call sequences along the document's links) on a real service on
// the local stack, with a real clinic key, a counselor's real join token and a failed clinic
// webhook delivery to list and retry. A second run against a copy of the document that lies
// about one answer proves that a non-conformance fails the run.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openApiDocument } from '../../../webhook-service/http/openapi';
import { startClinicBackend } from '../../support/clinicBackend';
import { closedAfter, waitFor } from '../../support/isolation';
import { CLINIC_TOKEN, clinic, createAppointment, deliver, startService, testConfig, type RunningService } from './harness';

jest.setTimeout(240_000);

const root = path.resolve(__dirname, '..', '..', '..');
const schemathesis = path.join(root, '.stack', 'schemathesis', 'bin', 'schemathesis');
const settings = path.join(root, 'test', 'support', 'schemathesis', 'schemathesis.toml');
const SECRET = `whsec_${Buffer.from('conformance-webhook-secret-0123').toString('base64')}`;

/** Runs Schemathesis without blocking the event loop: the service under test lives in this process. */
function runSchemathesis(configFile: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(schemathesis, ['--config-file', configFile, '--no-color', 'run', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output, seconds: (performance.now() - started) / 1000 }));
  });
}

/** The document's operations, as `METHOD /template`, with a matcher of concrete paths. */
const operations = Object.entries(openApiDocument().paths as Record<string, Record<string, unknown>>).flatMap(([template, methods]) =>
  Object.keys(methods).map((method) => ({ label: `${method.toUpperCase()} ${template}`, method: method.toUpperCase(), pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`) })),
);

/** How many 2xx answers each operation got in the run, from Schemathesis's event report (one JSON event a line). */
function successesOf(ndjson: string): Record<string, number> {
  const successes = Object.fromEntries(operations.map((operation) => [operation.label, 0]));
  for (const line of ndjson.split('\n').filter(Boolean)) {
    const finished = (JSON.parse(line) as { ScenarioFinished?: { recorder: { interactions: Record<string, { request: { method: string; uri: string }; response?: { status_code: number } }> } } }).ScenarioFinished;
    for (const { request, response } of Object.values(finished?.recorder.interactions ?? {})) {
      const path = new URL(request.uri).pathname;
      const operation = operations.find((candidate) => candidate.method === request.method && candidate.pattern.test(path));
      if (operation && response && response.status_code >= 200 && response.status_code < 300) successes[operation.label] = (successes[operation.label] ?? 0) + 1;
    }
  }
  return successes;
}

const cleanups = closedAfter(afterAll);

let target: RunningService;
let credentials: Record<string, string>;
/** The committed settings plus what this run knows exists (a file of its own). */
let runSettings: string;

/**
 * Real data for the generators to draw from half of the time: random ids only ever find nothing
 * (404), and the fuzzer cannot make a session active (that takes LiveKit's webhooks), so the
 * success answers of these operations would go untested. The waiting sessions are kept for the
 * token mints: cancel draws from sessions of its own and no ids from earlier answers (which
 * list them), so it cannot close them all before the mints run.
 */
function knownData(active: string, waiting: { id: string; student: string; counselor: string }[], delivery: string, cancellable: string[]): string {
  const values = (...items: string[]) => `values = ${JSON.stringify(items)}`;
  const drawn = (dictionary: string) => `{ dictionary = "${dictionary}", probability = 0.5 }`;
  return [
    '[dictionaries.active-session]', values(active),
    '[dictionaries.waiting-sessions]', values(...waiting.map((session) => session.id)),
    '[dictionaries.waiting-seats]', values(...waiting.flatMap((session) => [session.student, session.counselor])),
    '[dictionaries.failed-delivery]', values(delivery),
    '[[operations]]', 'include-operation-id = ["getSession", "getAudit", "endSession"]', `parameters = { "path.id" = ${drawn('active-session')} }`,
    '[[operations]]', 'include-operation-id = "mintJoinToken"', `parameters = { "path.id" = ${drawn('waiting-sessions')}, "body.identity" = ${drawn('waiting-seats')} }`,
    '[[operations]]', 'include-operation-id = "retryDelivery"', `parameters = { "path.id" = ${drawn('failed-delivery')} }`,
    // Sessions of its own to cancel: from links alone a run once gave cancel no 2xx at all.
    '[dictionaries.cancellable-sessions]', values(...cancellable),
    '[[operations]]', 'include-operation-id = "cancelSession"', `parameters = { "path.id" = ${drawn('cancellable-sessions')} }`,
    ...['examples', 'coverage', 'fuzzing'].map((phase) => `phases.${phase}.extra-data-sources.responses = false`),
  ].join('\n');
}

beforeAll(async () => {
  if (!fs.existsSync(schemathesis)) throw new Error(`${schemathesis} is missing: run node scripts/bootstrap.mjs`);
  // The clinic's receiver is down, so a delivery gives up within about a second and is listed as failed.
  const backend = await startClinicBackend(SECRET);
  backend.state.down = true;
  cleanups.push(backend.close);
  target = await startService(testConfig({ CLINIC_WEBHOOK_URLS: backend.hooksUrl, CLINIC_WEBHOOK_SECRET: SECRET, CLINIC_WEBHOOK_BACKOFF_MS: '100', CLINIC_WEBHOOK_RETRY_HOURS: '0.0003' }));
  cleanups.push(() => target.stop());
  // An active session (both joined, as LiveKit would say), first in the listings; and a waiting one.
  const active = await createAppointment(target);
  const joinedAtMs = Date.now() - 2000;
  for (const participant of [active.student, active.counselor]) {
    expect((await deliver(target, { event: 'participant_joined', room: active.room, participant, joinedAtMs })).status).toBe(200);
  }
  await waitFor(async () => (await clinic(target.url, 'GET', `/v1/sessions/${active.sessionId}`)).json.status === 'active', { timeoutMs: 20_000, intervalMs: 100 });
  const waiting = await Promise.all([1, 2, 3].map(() => createAppointment(target)));
  const cancellable = await Promise.all([1, 2, 3].map(() => createAppointment(target)));
  const counselorToken = await clinic(target.url, 'POST', `/v1/sessions/${active.sessionId}/token`, { identity: active.counselor.identity });
  expect(counselorToken.status).toBe(200);
  const failed = await waitFor(
    async () => (await clinic(target.url, 'GET', '/v1/webhook-deliveries?status=failed')).json.deliveries[0]?.id as string | undefined,
    { timeoutMs: 20_000, intervalMs: 200 },
  );
  credentials = { AUTOSTART_CONFORMANCE_CLINIC_KEY: CLINIC_TOKEN, AUTOSTART_CONFORMANCE_PARTICIPANT_TOKEN: counselorToken.json.token };
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'autostart-conformance-'));
  cleanups.push(async () => fs.rmSync(directory, { recursive: true, force: true }));
  runSettings = path.join(directory, 'schemathesis.toml');
  const seats = waiting.map((session) => ({ id: session.sessionId, student: session.student.identity, counselor: session.counselor.identity }));
  fs.writeFileSync(runSettings, `${fs.readFileSync(settings, 'utf8')}\n${knownData(active.sessionId, seats, failed, cancellable.map((session) => session.sessionId))}\n`);
});

test('the service conforms to its OpenAPI document: every operation, every check, every phase', async () => {
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'autostart-conformance-')), 'events.ndjson');
  cleanups.push(async () => fs.rmSync(path.dirname(report), { recursive: true, force: true }));
  const run = await runSchemathesis(runSettings, [`${target.url}/openapi.json`, '--report', 'ndjson', '--report-ndjson-path', report], credentials);
  const warnings = /=+ WARNINGS =+\n([\s\S]*?)\n=+ /.exec(run.output)?.[1]?.trim();
  console.log(`schemathesis: exit ${run.code} in ${run.seconds.toFixed(1)} s; ${/Test cases:\s*\n\s*(.*)/.exec(run.output)?.[1] ?? '?'}${warnings ? `\nwarnings:\n${warnings}` : ''}`);
  if (run.code !== 0) throw new Error(`Schemathesis found non-conformances (exit ${run.code}):\n${run.output}`);
  expect(run.output).toMatch(new RegExp(`Tested:\\s+${operations.length}\\n`));
  for (const phase of ['Examples', 'Coverage', 'Fuzzing', 'Stateful']) expect(run.output).toMatch(new RegExp(`✅ ${phase}\\n`));
  // Every credential worked, and every operation was reached with real data: each answered a 2xx at least once.
  expect(run.output).not.toContain('Authentication failed');
  const successes = successesOf(fs.readFileSync(report, 'utf8'));
  console.log(`2xx answers by operation: ${JSON.stringify(successes)}`);
  expect(Object.entries(successes).filter(([, count]) => count === 0)).toEqual([]);
});

test('a document that lies about an answer fails the run', async () => {
  const lying = openApiDocument() as { components: { schemas: { Session: { properties: { status: { enum: string[] } } } } } };
  // A new session is `waiting`; this copy says it never is.
  const status = lying.components.schemas.Session.properties.status;
  status.enum = status.enum.filter((value) => value !== 'waiting');
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'autostart-conformance-'));
  cleanups.push(async () => fs.rmSync(directory, { recursive: true, force: true }));
  const file = path.join(directory, 'openapi.json');
  fs.writeFileSync(file, JSON.stringify(lying));
  const run = await runSchemathesis(settings, [file, '--url', target.url, '--include-operation-id', 'createSession', '--phases', 'examples', '--checks', 'response_schema_conformance'], credentials);
  expect(run.output).toContain('Response violates schema');
  expect(run.code).toBe(1);
});
