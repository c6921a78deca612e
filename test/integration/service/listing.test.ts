// The clinic's listing and export: pages by cursor while new sessions keep coming, each session
// with its attendance; the same pages as CSV, which parsed back say exactly what the JSON says.
import { clinic, clinicClient, deliver, startService, testConfig, type RunningService } from './harness';
import { must } from '../../../webhook-service/client';

let target: RunningService;

beforeEach(async () => {
  target = await startService(testConfig());
});

afterEach(async () => {
  await target.stop();
});

async function newSessionWithAttendance(index: number): Promise<string> {
  const api = clinicClient(target);
  const session = must(await api.createSession({ studentIdentity: `stu, "${index}"`, counselorIdentity: `cou-${index}` }));
  if (index % 2 === 0) {
    const t0 = Date.now() - 5000;
    const student = { sid: `PA_s${index}`, identity: `stu, "${index}"`, attributes: {} };
    await deliver(target, { event: 'participant_joined', room: session.roomName, participant: student, joinedAtMs: t0 });
    await deliver(target, { event: 'participant_left', room: session.roomName, participant: student, createdAt: Math.floor(t0 / 1000) + 2 });
    await deliver(target, { event: 'participant_joined', room: session.roomName, participant: { ...student, sid: `PA_s${index}b` }, joinedAtMs: t0 + 3000 });
  }
  return session.id;
}

/** RFC 4180, enough for what the export writes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] as string;
    if (quoted && char === '"' && text[index + 1] === '"') {
      field += '"';
      index += 1;
    } else if (quoted && char === '"') {
      quoted = false;
    } else if (quoted) {
      field += char;
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      endField();
    } else if (char === '\r' && text[index + 1] === '\n') {
      endField();
      rows.push(row);
      row = [];
      index += 1;
    } else {
      field += char;
    }
  }
  return rows;
}

test('when the clinic pages through sessions while new ones are created, then each shows once, in creation order, and the CSV of each page is the JSON', async () => {
  const created: string[] = [];
  for (let index = 0; index < 7; index += 1) created.push(await newSessionWithAttendance(index));
  const api = clinicClient(target);
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10; page += 1) {
    const answered = await api.listSessions({ limit: 3, ...(cursor ? { cursor } : {}) });
    const body = must(answered);
    seen.push(...body.sessions.map((session) => session.id));

    // The same page as CSV: one row per presence interval, exactly the JSON's.
    const csv = await fetch(`${target.url}/v1/sessions?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { headers: { authorization: `Bearer ${target.config.CLINIC_API_TOKEN}`, accept: 'text/csv' } });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('x-next-cursor')).toBe(body.nextCursor);
    const [header, ...rows] = parseCsv(await csv.text());
    expect(header).toEqual(['sessionId', 'roomName', 'status', 'role', 'identity', 'joinedAt', 'leftAt', 'lateSeconds']);
    const fromJson = body.sessions.flatMap((session) =>
      session.participants.flatMap((participant) =>
        participant.intervals.map((interval) => [session.id, session.roomName, session.status, participant.role, participant.identity, interval.joinedAt, interval.leftAt ?? '', participant.lateSeconds === null ? '' : String(participant.lateSeconds)]),
      ),
    );
    expect(rows).toEqual(fromJson);

    // Sessions keep coming while the clinic reads.
    if (page < 2) created.push(await newSessionWithAttendance(100 + page));
    if (!body.nextCursor) break;
    cursor = body.nextCursor;
  }
  expect(seen).toEqual(created);
});

test('when the listing is filtered by status and creation time, then only those sessions come, across pages', async () => {
  const api = clinicClient(target);
  const ids: string[] = [];
  for (let index = 0; index < 5; index += 1) ids.push(must(await api.createSession({ studentIdentity: 's', counselorIdentity: 'c' })).id);
  for (const id of [ids[1], ids[3]]) must(await api.cancelSession(id as string));
  const cancelled: string[] = [];
  let cursor: string | undefined;
  do {
    const page = must(await api.listSessions({ status: 'cancelled', limit: 1, ...(cursor ? { cursor } : {}) }));
    cancelled.push(...page.sessions.map((session) => session.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  expect(cancelled).toEqual([ids[1], ids[3]]);
  expect(must(await api.listSessions({ to: '2000-01-01T00:00:00Z' })).sessions).toEqual([]);
  expect((await clinic(target.url, 'GET', '/v1/sessions?cursor=not-a-cursor')).json.error.code).toBe('invalid_request');
  expect((await clinic(target.url, 'GET', '/v1/sessions?limit=500')).status).toBe(400);
});
