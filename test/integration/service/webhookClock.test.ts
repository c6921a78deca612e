// LiveKit's clock offset against the real service: signed webhooks whose createdAt is far from
// our clock show in /metrics, the refused (stale) ones too.
import { deliver, startService, testConfig } from './harness';

jest.setTimeout(60_000);

const offsetIn = (metrics: string): number => Number(/^autostart_webhook_clock_offset_seconds (\S+)$/m.exec(metrics)?.[1]);

test("when LiveKit's webhooks carry a createdAt far from our clock, then /metrics shows the offset, either way, stale or not", async () => {
  const target = await startService(testConfig());
  try {
    const metrics = async () => (await fetch(`${target.url}/metrics`)).text();
    const room = 'a-room-nobody-named';
    const participant = { sid: 'PA_clock', identity: 'someone' };

    // 200 s behind us, inside the 300 s window: accepted (ignored: no session), and measured.
    const behind = await deliver(target, { event: 'participant_joined', room, participant, createdAt: Math.floor(Date.now() / 1000) - 200 });
    expect(behind.status).toBe(200);
    const first = offsetIn(await metrics());
    expect(first).toBeGreaterThanOrEqual(199);
    expect(first).toBeLessThan(203);

    // 400 s ahead of us: refused as stale, and measured all the same.
    const ahead = await deliver(target, { event: 'participant_joined', room, participant, createdAt: Math.floor(Date.now() / 1000) + 400 });
    expect(ahead.status).toBe(400);
    const second = offsetIn(await metrics());
    expect(second).toBeLessThanOrEqual(-398);
    expect(second).toBeGreaterThan(-402);
    expect(await metrics()).toMatch(/^autostart_webhook_age_seconds_count 2$/m);
  } finally {
    await target.stop();
  }
});
