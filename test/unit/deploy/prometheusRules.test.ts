// The alert rules and the dashboard: promtool (built from the Go module pinned in tools/promtool)
// checks the rules and runs their unit tests (deploy/prometheus/alerts.test.yml); every metric
// the rules and the dashboard name is one the service exports, so a rename cannot leave them
// silently empty.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { createMetrics } from '../../../webhook-service/metrics';

const root = path.resolve(__dirname, '..', '..', '..');
const promtool = path.join(root, '.stack', 'bin', 'promtool');
const rulesDir = path.join(root, 'deploy', 'prometheus');

function run(args: string[]): { status: number | null; output: string } {
  if (!fs.existsSync(promtool)) throw new Error(`${promtool} is missing: run \`node scripts/bootstrap.mjs\``);
  const result = spawnSync(promtool, args, { cwd: rulesDir, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Every series name the service exports (histograms with their _bucket, _sum and _count), and Node's own. */
async function exportedNames(): Promise<Set<string>> {
  const metrics = createMetrics({ defaultMetrics: true });
  const names = new Set<string>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

/** Metric names in a PromQL expression: identifiers followed by `{`, `[` or an operator, minus functions and keywords. */
function metricsIn(expr: string): string[] {
  const words = expr.replace(/"[^"]*"/g, '""').match(/\b[a-z_][a-z0-9_]*\b(?!\s*\()/g) ?? [];
  return words.filter((word) => /^(autostart|nodejs|process)_/.test(word));
}

test('when promtool checks the rules, then they are valid', () => {
  const { status, output } = run(['check', 'rules', 'alerts.yml']);
  expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
});

test("when promtool runs the rules' unit tests, then every alert fires on its series and stays quiet otherwise", () => {
  const { status, output } = run(['test', 'rules', 'alerts.test.yml']);
  expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
});

test('when an alert or a dashboard panel names a metric, then the service exports it', async () => {
  const names = await exportedNames();
  const rules = parse(fs.readFileSync(path.join(rulesDir, 'alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; expr: string; annotations: { runbook: string } }[] }[] };
  const dashboard = JSON.parse(fs.readFileSync(path.join(root, 'deploy', 'grafana', 'autostart-dashboard.json'), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
  const exprs = [...rules.groups.flatMap((group) => group.rules.map((rule) => rule.expr)), ...dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr))];
  const named = exprs.flatMap(metricsIn);
  expect(named.length).toBeGreaterThan(20);
  expect(named.filter((name) => !names.has(name))).toEqual([]);
});

test('when an alert names its runbook, then docs/operations.md has that section', () => {
  const rules = parse(fs.readFileSync(path.join(rulesDir, 'alerts.yml'), 'utf8')) as { groups: { rules: { alert: string; annotations: { runbook: string } }[] }[] };
  const operations = fs.readFileSync(path.join(root, 'docs', 'operations.md'), 'utf8');
  const headings = new Set([...operations.matchAll(/^#+ (.+)$/gm)].map((match) => (match[1] as string).toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
  for (const rule of rules.groups.flatMap((group) => group.rules)) {
    expect(rule.annotations.runbook).toBe(`docs/operations.md#${rule.alert.toLowerCase()}`);
    expect(headings).toContain(rule.alert.toLowerCase());
  }
});
