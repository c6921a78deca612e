// The group-cost section of `npm run bench`: each session's webhooks in LiveKit's order (everyone
// joins, reloads and leaves; the room finishes), rooms interleaved, and the report's rows with
// the 1.5x limit applied to the ratios.
import { TokenVerifier } from 'livekit-server-sdk';
import { costRequests, groupCostRows, sessionScript, webhooksPerSession, type CostSession, type GroupCostResult, type KindCost } from '../../../bench/groupCost';

const sessionOf = (room: string, students: number): CostSession => ({
  room,
  people: [{ identity: `${room}-counselor`, role: 'counselor' }, ...Array.from({ length: students }, (_, n) => ({ identity: `${room}-student-${n}`, role: 'student' as const }))],
});

test('a 16-person session sends 65 webhooks, a pair 9, each person joined, reloaded and left in that order', () => {
  const group = sessionScript(sessionOf('g', 15), 1_000);
  expect(group).toHaveLength(webhooksPerSession('group'));
  expect(webhooksPerSession('group')).toBe(65);
  expect(sessionScript(sessionOf('p', 1), 1_000)).toHaveLength(webhooksPerSession('pair'));
  expect(new Set(group.map((spec) => spec.id)).size).toBe(group.length);
  const student = group.filter((spec) => spec.participant?.identity === 'g-student-7');
  expect(student.map((spec) => [spec.event, spec.participant?.sid.endsWith('_1') ? 1 : 2])).toEqual([
    ['participant_joined', 1],
    ['participant_left', 1],
    ['participant_joined', 2],
    ['participant_left', 2],
  ]);
  expect(student[0]?.participant?.attributes).toEqual({ 'autostart.role': 'student' });
  expect(group.at(-1)).toMatchObject({ event: 'room_finished', room: 'g' });
  // LiveKit's time never goes back within a room.
  const times = group.map((spec) => spec.joinedAtMs ?? (spec.createdAt as number) * 1000);
  expect(times).toEqual([...times].sort((a, b) => a - b));
});

test('the requests interleave the rooms and carry LiveKit-signed bodies', async () => {
  const requests = await costRequests([sessionOf('a', 1), sessionOf('b', 15)], 'key', 'secret-secret-secret-secret-secret');
  expect(requests).toHaveLength(9 + 65);
  expect(requests.slice(0, 2).map((request) => JSON.parse(request.body).room.name)).toEqual(['a', 'b']);
  const claims = await new TokenVerifier('key', 'secret-secret-secret-secret-secret').verify(requests[0]?.headers.authorization as string);
  expect(claims.sha256).toEqual(expect.any(String));
});

test('the rows give both kinds\' figures and hold the ratios to 1.5', () => {
  const cost = (kind: 'pair' | 'group', p50Ms: number, cpuMsPerWebhook: number): KindCost => ({ kind, sessions: 10, webhooks: 100, non2xx: 0, lostEvents: 0, p50Ms, p99Ms: p50Ms * 4, cpuMsPerWebhook });
  const result = (groupP50: number, groupCpu: number): GroupCostResult => {
    const pair = cost('pair', 2, 0.5);
    const group = cost('group', groupP50, groupCpu);
    return { rate: 200, rounds: 3, pair, group, ratioP50: group.p50Ms / pair.p50Ms, ratioP99: group.p99Ms / pair.p99Ms, ratioCpu: group.cpuMsPerWebhook / pair.cpuMsPerWebhook };
  };
  const within = groupCostRows(result(2.4, 0.6));
  expect(within.map((row) => row.section)).toEqual(Array(6).fill('group'));
  expect(within.map((row) => row.met)).toEqual([true, undefined, undefined, undefined, true, true]);
  expect(within[4]?.value).toBe('1.20 / 1.20');
  const over = groupCostRows(result(2.4, 0.8));
  expect(over[4]).toMatchObject({ value: '1.20 / 1.60', target: '<= 1.5', met: false });
  expect(groupCostRows({ ...result(2, 0.5), group: { ...cost('group', 2, 0.5), lostEvents: 1 } })[0]?.met).toBe(false);
});
