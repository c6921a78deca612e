// The attendance CSV through HTTP: identities a portal passed in that a spreadsheet would run as
// formulas come out as text (OWASP: a leading ' inside quotes).
import { randomBytes } from 'node:crypto';
import { CLINIC_TOKEN, clinic, deliver, startService, testConfig, type RunningService } from './harness';

let target: RunningService;
beforeEach(async () => {
  target = await startService(testConfig());
});
afterEach(async () => {
  await target?.stop();
});

test('when identities start with = + - @, then the CSV holds them as text, never as formulas', async () => {
  const cases = [
    ['=1+1', '+x'],
    ['-x', '@x'],
  ];
  for (const [studentIdentity, counselorIdentity] of cases) {
    const created = await clinic(target.url, 'POST', '/v1/sessions', { studentIdentity, counselorIdentity });
    expect(created.status).toBe(201);
    const roomName = created.json.roomName as string;
    for (const identity of [studentIdentity, counselorIdentity]) {
      const participant = { sid: `PA_${randomBytes(5).toString('hex')}`, identity: identity as string, attributes: {} };
      expect((await deliver(target, { event: 'participant_joined', room: roomName, participant, joinedAtMs: Date.now() - 1000 })).status).toBe(200);
    }
  }
  const response = await fetch(`${target.url}/v1/sessions?limit=10`, { headers: { authorization: `Bearer ${CLINIC_TOKEN}`, accept: 'text/csv' } });
  expect(response.status).toBe(200);
  const identityCells = (await response.text())
    .trim()
    .split('\r\n')
    .slice(1)
    .map((line) => line.split(',')[4]);
  expect(identityCells.sort()).toEqual([`"'+x"`, `"'-x"`, `"'=1+1"`, `"'@x"`]);
});
