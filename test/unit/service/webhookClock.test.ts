// LiveKit's clock offset from the webhooks' createdAt: the metric for every signed event, and a
// warning when it nears the replay window, at most once a minute.
import { createLogger } from '../../../webhook-service/logger';
import { createMetrics } from '../../../webhook-service/metrics';
import { nearReplayWindow, webhookClock } from '../../../webhook-service/http/webhookClock';

function setup() {
  const lines: { level: number; msg: string; offsetSeconds?: number; windowSeconds?: number }[] = [];
  const logger = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line)) });
  const metrics = createMetrics();
  let now = 1_000_000;
  const observe = webhookClock({ metrics, logger, windowSeconds: 300, now: () => now });
  return { lines, metrics, observe, advance: (ms: number) => (now += ms) };
}

const valueOf = async (metrics: ReturnType<typeof createMetrics>, name: string): Promise<string | undefined> =>
  (await metrics.registry.metrics()).split('\n').find((line) => line.startsWith(`${name} `))?.split(' ')[1];

test('near means half the window or more, either way', () => {
  expect(nearReplayWindow(149_999, 300)).toBe(false);
  expect(nearReplayWindow(150_000, 300)).toBe(true);
  expect(nearReplayWindow(-150_000, 300)).toBe(true);
});

test('every event sets the offset (signed) and adds its magnitude to the distribution', async () => {
  const { metrics, observe, lines } = setup();
  observe(2_000);
  observe(-3_500);
  expect(await valueOf(metrics, 'autostart_webhook_clock_offset_seconds')).toBe('-3.5');
  expect(await valueOf(metrics, 'autostart_webhook_age_seconds_count')).toBe('2');
  expect(await valueOf(metrics, 'autostart_webhook_age_seconds_sum')).toBe('5.5');
  expect(lines).toEqual([]);
});

test('an offset near the window is a warning naming it and the window, at most once a minute', async () => {
  const { observe, lines, advance } = setup();
  observe(-200_000);
  observe(-210_000);
  advance(59_999);
  observe(-220_000);
  advance(1);
  observe(160_000);
  expect(lines.map((line) => [line.level, line.offsetSeconds, line.windowSeconds])).toEqual([
    [40, -200, 300],
    [40, 160, 300],
  ]);
});
