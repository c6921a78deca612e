// Where a profiled service spent its CPU: `npx tsx bench/profileSummary.ts <file.cpuprofile> [N]`
// reads a V8 CPU profile (from `npm run bench -- --only ingest --cpu-prof-dir DIR`), or only its
// last N seconds (the service's own steps come last: the floors run first), and prints the self
// time by package (a node_modules package, the service's own code, node's internals,
// idle, garbage collection) and the functions with the most self time.
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package a script belongs to: its node_modules package, our folder, or node itself. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1] as string;
  if (url.startsWith('node:')) return 'node';
  const ours = /\/(webhook-service|plugin|scripts|bench)\//.exec(url);
  return ours ? (ours[1] as string) : url;
}

export function summarize(profile: CpuProfile, lastSeconds = Number.POSITIVE_INFINITY): { totalMs: number; byPackage: [string, number][]; byFunction: [string, number][] } {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalMs = 0;
  const spanMs = profile.timeDeltas.reduce((sum, delta) => sum + delta, 0) / 1000;
  let atMs = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    atMs += ms;
    const node = nodes.get(id);
    if (!node || atMs < spanMs - lastSeconds * 1000) return;
    totalMs += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
    const name = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(webhook-service|plugin)\//, '$1/')}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  });
  const sorted = (map: Map<string, number>): [string, number][] => [...map].sort((a, b) => b[1] - a[1]);
  return { totalMs, byPackage: sorted(byPackage), byFunction: sorted(byFunction) };
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: npx tsx bench/profileSummary.ts <file.cpuprofile> [last seconds]');
    process.exit(2);
  }
  const { totalMs, byPackage, byFunction } = summarize(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile, process.argv[3] ? Number(process.argv[3]) : undefined);
  const share = (ms: number): string => `${((100 * ms) / totalMs).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(7)} ms`;
  console.log(`${(totalMs / 1000).toFixed(1)} s sampled\n\nself time by package:`);
  for (const [name, ms] of byPackage.slice(0, 20)) console.log(`  ${share(ms)}  ${name}`);
  console.log('\nfunctions with the most self time:');
  for (const [name, ms] of byFunction.slice(0, 25)) console.log(`  ${share(ms)}  ${name}`);
}
