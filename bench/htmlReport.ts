// The benchmark's picture: one self-contained HTML page (inline SVG and CSS, no script, no
// network) beside the JSON, so a run can be read in any browser from the file itself. It draws
// what the table cannot: ingest latency and achieved rate over the offered rate for ours and
// floor (a), floor (b) as its one rate, each session's start latency over the run, and the
// surge second by second (joins sent, the activations' p99).
import fs from 'node:fs';
import type { IngestStep } from './ingest';
import type { ReportRow } from './report';

export interface Series {
  name: string;
  colour: string;
  points: readonly (readonly [number, number])[];
  /** Dots without a line: samples in time order, where a line between them would mean nothing. */
  dotsOnly?: boolean;
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  /** Vertical markers, e.g. floor (b)'s one rate. */
  markers?: readonly { x: number; label: string }[];
  /** A logarithmic y axis, for latencies that span milliseconds to seconds. */
  logY?: boolean;
}

/** What the page reads from the results the harness writes as JSON; every part is optional. */
export interface ReportInput {
  startedAt?: string;
  smoke?: boolean;
  rows?: readonly ReportRow[];
  ingest?: { serviceSteps: readonly IngestStep[]; verifySteps: readonly IngestStep[]; dbFloor: { webhooksPerSecond: number } };
  start?: { timeline?: readonly { atMs: number; serviceToClientsMs: number }[] };
  surge?: { timeline?: readonly { second: number; joins: number; activationP99Ms: number }[] };
}

const WIDTH = 640;
const HEIGHT = 320;
const MARGIN = { left: 64, right: 16, top: 28, bottom: 44 };
const OURS = '#1b6e4f';
const FLOOR_A = '#8a5a00';
const FLOOR_B = '#6b4fa0';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const round = (value: number): string => (Math.round(value * 10) / 10).toString();

/** Nice tick values covering [low, high]: 1, 2 or 5 times a power of ten apart. */
export function ticks(low: number, high: number, wanted = 5): number[] {
  if (!(high > low)) return [low];
  const raw = (high - low) / wanted;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const out: number[] = [];
  for (let value = Math.ceil(low / step) * step; value <= high + step * 1e-9; value += step) out.push(Number(value.toPrecision(12)));
  return out;
}

/** One chart as an SVG element: axes with ticks, a polyline and dots per series, a legend. */
export function renderChart(chart: Chart): string {
  const all = chart.series.flatMap((series) => series.points);
  const xs = [...all.map(([x]) => x), ...(chart.markers ?? []).map((marker) => marker.x)];
  const ys = all.map(([, y]) => y).filter((y) => Number.isFinite(y) && (!chart.logY || y > 0));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const title = `<text x="${MARGIN.left}" y="18" class="title">${escapeHtml(chart.title)}</text>`;
  if (xs.length === 0 || ys.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(chart.title)}">${title}<text x="${MARGIN.left}" y="${HEIGHT / 2}">no data in this run</text></svg>`;
  }
  const xMax = Math.max(...xs) * 1.05 || 1;
  const yLow = chart.logY ? Math.max(Math.min(...ys), 0.1) : 0;
  const yHigh = Math.max(...ys) * (chart.logY ? 1.5 : 1.1) || 1;
  const xAt = (x: number): number => MARGIN.left + (x / xMax) * plotW;
  const toY = chart.logY ? (y: number) => Math.log10(Math.max(y, yLow)) : (y: number) => y;
  const [yFrom, yTo] = [toY(yLow), toY(yHigh)];
  const yAt = (y: number): number => MARGIN.top + plotH - ((toY(y) - yFrom) / (yTo - yFrom || 1)) * plotH;
  const yTicks = chart.logY ? ticks(Math.floor(yFrom), Math.ceil(yTo), Math.ceil(yTo) - Math.floor(yFrom)).map((power) => 10 ** power).filter((y) => y >= yLow && y <= yHigh) : ticks(0, yHigh);
  const parts: string[] = [title];
  parts.push(`<line x1="${MARGIN.left}" y1="${MARGIN.top + plotH}" x2="${MARGIN.left + plotW}" y2="${MARGIN.top + plotH}" class="axis"/>`);
  parts.push(`<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${MARGIN.top + plotH}" class="axis"/>`);
  for (const x of ticks(0, xMax)) {
    parts.push(`<line x1="${round(xAt(x))}" y1="${MARGIN.top + plotH}" x2="${round(xAt(x))}" y2="${MARGIN.top + plotH + 4}" class="axis"/><text x="${round(xAt(x))}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${x}</text>`);
  }
  for (const y of yTicks) {
    parts.push(`<line x1="${MARGIN.left}" y1="${round(yAt(y))}" x2="${MARGIN.left + plotW}" y2="${round(yAt(y))}" class="grid"/><text x="${MARGIN.left - 6}" y="${round(yAt(y) + 4)}" text-anchor="end">${y}</text>`);
  }
  parts.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 6}" text-anchor="middle">${escapeHtml(chart.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(chart.yLabel)}</text>`);
  for (const marker of chart.markers ?? []) {
    parts.push(`<line x1="${round(xAt(marker.x))}" y1="${MARGIN.top}" x2="${round(xAt(marker.x))}" y2="${MARGIN.top + plotH}" stroke="${FLOOR_B}" stroke-dasharray="4 3" class="marker"/><text x="${round(xAt(marker.x) + 4)}" y="${MARGIN.top + 12}" fill="${FLOOR_B}">${escapeHtml(marker.label)}</text>`);
  }
  chart.series.forEach((series, index) => {
    const shown = series.points.filter(([, y]) => Number.isFinite(y) && (!chart.logY || y > 0));
    const coordinates = shown.map(([x, y]) => `${round(xAt(x))},${round(yAt(y))}`);
    parts.push(`<g data-series="${escapeHtml(series.name)}">`);
    if (coordinates.length > 1 && !series.dotsOnly) parts.push(`<polyline points="${coordinates.join(' ')}" fill="none" stroke="${series.colour}" stroke-width="2"/>`);
    for (const point of coordinates) {
      const [cx, cy] = point.split(',');
      parts.push(`<circle cx="${cx}" cy="${cy}" r="2.5" fill="${series.colour}"/>`);
    }
    parts.push('</g>');
    parts.push(`<text x="${MARGIN.left + plotW - 4}" y="${MARGIN.top + 14 + index * 14}" text-anchor="end" fill="${series.colour}">${escapeHtml(series.name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(chart.title)}">${parts.join('')}</svg>`;
}

/** The charts a run's results call for, in the page's order. */
export function chartsOf(input: ReportInput): Chart[] {
  const charts: Chart[] = [];
  if (input.ingest) {
    const { serviceSteps, verifySteps, dbFloor } = input.ingest;
    const markers = Number.isFinite(dbFloor.webhooksPerSecond) && dbFloor.webhooksPerSecond > 0 ? [{ x: dbFloor.webhooksPerSecond, label: `floor (b) ${Math.round(dbFloor.webhooksPerSecond)}/s` }] : [];
    charts.push({
      title: 'Ingest: p99 answer time over the offered rate',
      xLabel: 'offered webhooks/s',
      yLabel: 'p99 ms (log)',
      logY: true,
      markers,
      series: [
        { name: 'ours', colour: OURS, points: serviceSteps.map((step) => [step.rate, step.p99Ms] as const) },
        { name: 'floor (a): signatures only', colour: FLOOR_A, points: verifySteps.map((step) => [step.rate, step.p99Ms] as const) },
      ],
    });
    charts.push({
      title: 'Ingest: achieved over offered rate',
      xLabel: 'offered webhooks/s',
      yLabel: 'achieved webhooks/s',
      markers,
      series: [
        { name: 'ours', colour: OURS, points: serviceSteps.map((step) => [step.rate, step.achievedRate] as const) },
        { name: 'floor (a): signatures only', colour: FLOOR_A, points: verifySteps.map((step) => [step.rate, step.achievedRate] as const) },
      ],
    });
  }
  if (input.start?.timeline && input.start.timeline.length > 0) {
    charts.push({
      title: 'Start: webhook in -> session_started at both clients, over the run',
      xLabel: 's since the first session',
      yLabel: 'ms',
      series: [{ name: 'each session', colour: OURS, dotsOnly: true, points: input.start.timeline.map((sample) => [sample.atMs / 1000, sample.serviceToClientsMs] as const) }],
    });
  }
  if (input.surge?.timeline && input.surge.timeline.length > 0) {
    const timeline = input.surge.timeline;
    charts.push({
      title: 'Surge: joins sent per second',
      xLabel: 's since the surge began',
      yLabel: 'webhooks/s',
      series: [{ name: 'joins', colour: FLOOR_A, points: timeline.map((second) => [second.second, second.joins] as const) }],
    });
    charts.push({
      title: 'Surge: p99 of the activations recorded in each second (completing webhook in -> recorded)',
      xLabel: 's since the surge began',
      yLabel: 'p99 ms (log)',
      logY: true,
      series: [{ name: 'activation p99', colour: OURS, points: timeline.filter((second) => Number.isFinite(second.activationP99Ms)).map((second) => [second.second, second.activationP99Ms] as const) }],
    });
  }
  return charts;
}

export function renderReport(input: ReportInput): string {
  const rows = (input.rows ?? [])
    .map((row) => `<tr class="${row.met === false ? 'missed' : ''}"><td>${escapeHtml(row.section)}</td><td>${escapeHtml(row.measure)}</td><td>${escapeHtml(row.value)}</td><td>${escapeHtml(row.target ?? '')}</td><td>${row.met === undefined ? '' : row.met ? 'yes' : 'NO'}</td></tr>`)
    .join('\n');
  const charts = chartsOf(input).map((chart) => `<figure>${renderChart(chart)}</figure>`).join('\n');
  const when = escapeHtml(input.startedAt ?? 'unknown time');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Benchmark ${when}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2521;max-width:720px}
table{border-collapse:collapse;margin:12px 0}td,th{border-bottom:1px solid #dde3df;padding:4px 8px;text-align:left}
tr.missed td{color:#a4241a;font-weight:600}figure{margin:16px 0}svg{width:100%;height:auto;font-size:11px}
.axis{stroke:#1d2521}.grid{stroke:#e4e9e6}.title{font-size:13px;font-weight:600}
</style></head><body>
<h1>Benchmark${input.smoke ? ' (smoke)' : ''}</h1>
<p>Run started ${when}. Figures are one run on one machine; the JSON beside this file holds every number.</p>
<table><thead><tr><th>section</th><th>measure</th><th>value</th><th>target</th><th>met</th></tr></thead><tbody>
${rows}
</tbody></table>
${charts}
</body></html>
`;
}

/** Writes the page beside the JSON file (same name, .html); returns its path. */
export function writeReport(jsonFile: string, input: ReportInput): string {
  const file = jsonFile.replace(/\.json$/, '') + '.html';
  fs.writeFileSync(file, renderReport(input));
  return file;
}
