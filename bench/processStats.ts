// Samples the CPU time and resident memory of a process and its descendants from /proc while
// a load runs (Linux only). Descendants count because `tsx` runs the real program as a child.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may itself hold spaces, start past the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function processTree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(statFields(Number(entry))[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended between listing and reading.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i += 1) tree.push(...(parents.get(tree[i] as number) ?? []));
  return tree;
}

function sumOverTree(root: number, read: (pid: number) => number): number {
  let total = 0;
  for (const pid of processTree(root)) {
    try {
      total += read(pid);
    } catch {
      // Gone already; its share is lost, which only understates usage.
    }
  }
  return total;
}

function cpuSeconds(root: number): number {
  return sumOverTree(root, (pid) => {
    const fields = statFields(pid);
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  });
}

function rssMiB(root: number): number {
  return sumOverTree(root, (pid) => {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  });
}

export interface ProcessUsage {
  /** CPU cores used on average over the window (1.0 = one core busy). */
  cpuCores: number;
  peakRssMiB: number;
}

/** Starts sampling `pid`; the returned function stops and reports. */
export function sampleProcess(pid: number, everyMs = 200): () => ProcessUsage {
  const startCpu = cpuSeconds(pid);
  const startedAt = performance.now();
  let peak = rssMiB(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMiB(pid));
  }, everyMs);
  return () => {
    clearInterval(timer);
    const elapsed = (performance.now() - startedAt) / 1000;
    return { cpuCores: (cpuSeconds(pid) - startCpu) / elapsed, peakRssMiB: Math.max(peak, rssMiB(pid)) };
  };
}
