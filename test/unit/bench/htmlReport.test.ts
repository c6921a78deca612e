// The benchmark's HTML page: self-contained, drawn from the results' own numbers, and safe with
// any text the results carry.
import fc from 'fast-check';
import { chartsOf, renderChart, renderReport, ticks, type ReportInput } from '../../../bench/htmlReport';
import type { IngestStep } from '../../../bench/ingest';

const step = (rate: number, achievedRate: number, p99Ms: number): IngestStep => ({ rate, achievedRate, sent: rate * 5, non2xx: 0, p50Ms: p99Ms / 4, p99Ms, lostEvents: 0, cpuCores: 1, peakRssMiB: 100, sustained: p99Ms < 100 });

const input: ReportInput = {
  startedAt: '2026-12-03T15:00:00.000Z',
  rows: [
    { section: 'ingest', measure: 'ours / floor (a)', value: '0.31', target: '>= 0.5', met: false },
    { section: 'start', measure: 'sessions <started> & "tried"', value: '200 / 200', target: 'all', met: true },
  ],
  ingest: {
    serviceSteps: [step(100, 99, 12), step(200, 198, 40), step(400, 310, 1400)],
    verifySteps: [step(100, 100, 2), step(200, 200, 2), step(400, 400, 3), step(800, 790, 9)],
    dbFloor: { webhooksPerSecond: 450 },
  },
  start: { timeline: [{ atMs: 100, serviceToClientsMs: 30 }, { atMs: 900, serviceToClientsMs: 80 }, { atMs: 2000, serviceToClientsMs: 45 }] },
};

/** The points of the polyline of one series in the nth svg of the page. */
function pointsOf(svg: string, series: string): [number, number][] {
  const group = new RegExp(`<g data-series="${series.replace(/[()]/g, '\\$&')}">(.*?)</g>`).exec(svg);
  if (!group) throw new Error(`no series ${series}`);
  const dots = [...(group[1] as string).matchAll(/<circle cx="([^"]+)" cy="([^"]+)"/g)].map((dot) => [Number(dot[1]), Number(dot[2])] as [number, number]);
  const line = /<polyline points="([^"]+)"/.exec(group[1] as string);
  // The line, where there is one, goes through the dots.
  if (line) expect((line[1] as string).split(' ').map((pair) => pair.split(',').map(Number))).toEqual(dots);
  return dots;
}

test('when a run has ingest steps and start samples, then the page draws one line per series with one point per step', () => {
  const charts = chartsOf(input);
  expect(charts.map((chart) => chart.title)).toEqual([
    'Ingest: p99 answer time over the offered rate',
    'Ingest: achieved over offered rate',
    'Start: webhook in -> session_started at both clients, over the run',
  ]);
  const latency = renderChart(charts[0]!);
  const ours = pointsOf(latency, 'ours');
  const floor = pointsOf(latency, 'floor (a): signatures only');
  expect(ours).toHaveLength(3);
  expect(floor).toHaveLength(4);
  // Rising offered rate goes right; a larger p99 is drawn higher (smaller SVG y).
  expect(ours.map(([x]) => x)).toEqual([...ours.map(([x]) => x)].sort((a, b) => a - b));
  expect(ours[2]![1]).toBeLessThan(ours[0]![1]);
  // The same rate sits at the same x for ours and the floor.
  expect(ours[1]![0]).toBe(floor[1]![0]);
  expect(latency).toContain('floor (b) 450/s');
  // Start samples are dots, one per session, with no line joining them.
  const start = renderChart(charts[2]!);
  expect(start).not.toContain('<polyline');
  expect(pointsOf(start, 'each session')).toHaveLength(3);
});

test('when the page is rendered, then it needs no server or script and shows text escaped, with missed targets marked', () => {
  const page = renderReport(input);
  expect(page).not.toMatch(/<script|<link|src=|href=|@import|url\(/i);
  expect(page).toContain('sessions &lt;started&gt; &amp; &quot;tried&quot;');
  expect(page).toMatch(/<tr class="missed"><td>ingest<\/td>/);
  expect((page.match(/<svg /g) ?? []).length).toBe(3);
  expect(page).not.toMatch(/NaN|Infinity|undefined/);
});

test('when a run has no ingest and no start figures, or an infinite latency, then the page says so rather than drawing nonsense', () => {
  expect(chartsOf({ rows: [] })).toEqual([]);
  const empty = renderChart({ title: 'nothing', xLabel: 'x', yLabel: 'y', series: [{ name: 'ours', colour: '#000', points: [] }] });
  expect(empty).toContain('no data in this run');
  const withInfinity = renderChart({ title: 't', xLabel: 'x', yLabel: 'y', logY: true, series: [{ name: 'ours', colour: '#000', points: [[100, 10], [200, Number.POSITIVE_INFINITY], [300, 20]] }] });
  expect(withInfinity).not.toMatch(/NaN|Infinity/);
  expect(pointsOf(withInfinity, 'ours')).toHaveLength(2);
});

test('ticks are ascending, inside the range, evenly spaced and few, for any range', () => {
  fc.assert(
    fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-3, max: 1e6, noNaN: true }), (low, width) => {
      const high = low + width;
      const values = ticks(low, high);
      expect(values.length).toBeGreaterThanOrEqual(2);
      expect(values.length).toBeLessThanOrEqual(11);
      // Ticks are rounded to 12 significant digits, so a tick at the range's edge may pass it by
      // a rounding of the numbers' magnitude (seen: 1000000.001 for a high of 1000000.0009999999).
      const slack = width * 1e-9 + Math.max(Math.abs(low), Math.abs(high)) * 1e-11;
      for (const value of values) {
        expect(value).toBeGreaterThanOrEqual(low - slack);
        expect(value).toBeLessThanOrEqual(high + slack);
      }
      const gaps = values.slice(1).map((value, i) => value - (values[i] as number));
      for (const gap of gaps) expect(gap).toBeCloseTo(gaps[0] as number, 6);
    }),
    // The counterexample a CI run found, always tried first.
    { examples: [[999999.9999999999, 0.001]] },
  );
});

test('when a run has a surge, then the page draws its joins and its activations p99 second by second, leaving out seconds with no activation', () => {
  const surge = { timeline: [{ second: 0, joins: 300, activationP99Ms: 40 }, { second: 1, joins: 340, activationP99Ms: Number.NaN }, { second: 2, joins: 20, activationP99Ms: 900 }] };
  const charts = chartsOf({ surge });
  expect(charts.map((chart) => chart.title)).toEqual(['Surge: joins sent per second', 'Surge: p99 of the activations recorded in each second (completing webhook in -> recorded)']);
  expect(pointsOf(renderChart(charts[0]!), 'joins')).toHaveLength(3);
  const activations = pointsOf(renderChart(charts[1]!), 'activation p99');
  expect(activations).toHaveLength(2);
  expect(activations[1]![1]).toBeLessThan(activations[0]![1]);
  expect(renderReport({ surge })).not.toMatch(/NaN|Infinity|undefined/);
});
