// `npm test` after the bootstrap: jest's projects as two jest processes at once, unit + integration
// in one and e2e in the other, each with its own stack of servers on free ports (so the
// integration files that flush Redis or kill a server never touch the browsers' service), each
// running its files one after another as before. Most of the e2e time is waiting (LiveKit,
// browsers, timers), so the two overlap well on two cores.
//
// Arguments go to jest. With only --json, --outputFile, -t/--testNamePattern, --ci, --silent,
// --verbose or --colors, both processes run and their JSON results are merged into the one
// --outputFile (what .ci/run reads). Anything else that picks what runs (a file or pattern,
// --selectProjects, --watch, --shard, ...) runs one jest, as `jest <args>` would;
// TEST_PROJECTS_SERIAL=1 does so always.
//
// Plain Node with no dependencies beyond jest itself.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const jestBin = createRequire(import.meta.url).resolve('jest/bin/jest');

/** Each group is one jest process; the projects of a group run serially within it. */
const GROUPS = [
  { name: 'e2e', projects: ['e2e'] },
  { name: 'unit+integration', projects: ['unit', 'integration'] },
];

/** Options that keep both processes meaningful: their values (if any) go to both. */
const FLAGS = new Set(['--json', '--ci', '--silent', '--verbose', '--colors']);
const VALUED = new Set(['--outputFile', '-t', '--testNamePattern']);

function parse(args) {
  const shared = [];
  let json = false;
  let outputFile;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i];
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (FLAGS.has(name) && inline === undefined) {
      if (name === '--json') json = true;
      else shared.push(arg);
    } else if (VALUED.has(name)) {
      const value = inline ?? args[(i += 1)];
      if (value === undefined) return null;
      if (name === '--outputFile') outputFile = value;
      else shared.push(name, value);
    } else {
      return null;
    }
  }
  return { shared, json, outputFile };
}

function runJest(args, onLine) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [jestBin, ...args], { cwd: root, stdio: onLine ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    if (onLine) {
      for (const [stream, out] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
        let rest = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk) => {
          const lines = (rest + chunk).split('\n');
          rest = lines.pop();
          for (const line of lines) out.write(onLine(line) + '\n');
        });
        stream.on('end', () => rest && out.write(onLine(rest) + '\n'));
      }
    }
    children.add(child);
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

const children = new Set();
// Ctrl-C reaches the children from the terminal: wait for their teardowns to stop the servers.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => children.forEach((child) => child.kill('SIGTERM')));

const SUMS = ['numFailedTestSuites', 'numFailedTests', 'numPassedTestSuites', 'numPassedTests', 'numPendingTestSuites', 'numPendingTests', 'numRuntimeErrorTestSuites', 'numTodoTests', 'numTotalTestSuites', 'numTotalTests'];

/** jest's aggregated JSON results of several runs as one; a run with no result counts as a suite that could not run. */
function merge(results) {
  const merged = { ...Object.fromEntries(SUMS.map((key) => [key, 0])), openHandles: [], snapshot: undefined, startTime: Infinity, success: true, testResults: [], wasInterrupted: false };
  for (const result of results) {
    if (!result) {
      merged.numRuntimeErrorTestSuites += 1;
      merged.success = false;
      continue;
    }
    for (const key of SUMS) merged[key] += result[key] ?? 0;
    merged.openHandles.push(...(result.openHandles ?? []));
    merged.startTime = Math.min(merged.startTime, result.startTime);
    merged.success &&= result.success;
    merged.testResults.push(...result.testResults);
    merged.wasInterrupted ||= result.wasInterrupted;
    merged.snapshot = mergeSnapshots(merged.snapshot, result.snapshot);
  }
  if (merged.startTime === Infinity) merged.startTime = Date.now();
  return merged;
}

function mergeSnapshots(a, b) {
  if (!a || !b) return a ?? b;
  const out = { ...a };
  for (const [key, value] of Object.entries(b)) {
    if (typeof value === 'number') out[key] = (a[key] ?? 0) + value;
    else if (typeof value === 'boolean') out[key] = a[key] || value;
    else if (Array.isArray(value)) out[key] = [...(a[key] ?? []), ...value];
  }
  return out;
}

function readResult(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

const seconds = (ms) => `${Math.round(ms / 1000)} s`;

async function runGroups(options) {
  fs.mkdirSync(path.join(root, '.stack'), { recursive: true });
  const resultDir = fs.mkdtempSync(path.join(root, '.stack', 'jest-'));
  const started = Date.now();
  const runs = GROUPS.map(async (group) => {
    const file = path.join(resultDir, `${group.name}.json`);
    const prefix = `[${group.name}] `;
    const args = ['--selectProjects', ...group.projects, ...options.shared, '--json', `--outputFile=${file}`];
    const code = await runJest(args, (line) => prefix + line);
    return { group, code, result: readResult(file), wall: Date.now() - started };
  });
  const done = await Promise.all(runs);
  const merged = merge(done.map((run) => run.result));
  fs.rmSync(resultDir, { recursive: true, force: true });

  if (options.outputFile) fs.writeFileSync(path.resolve(process.cwd(), options.outputFile), JSON.stringify(merged));
  else if (options.json) process.stdout.write(JSON.stringify(merged) + '\n');

  const lines = ['', `npm test: ${GROUPS.length} jest processes at once, ${seconds(Date.now() - started)} in all`];
  for (const { group, code, result, wall } of done) {
    const counts = result ? `${result.numPassedTests} passed, ${result.numFailedTests + result.numRuntimeErrorTestSuites} failed, ${result.numTotalTestSuites} files` : 'no result';
    lines.push(`  ${group.name} (${group.projects.join(' + ')}): ${counts}, ${seconds(wall)}, exit ${code}`);
  }
  const slowest = merged.testResults
    .map((file) => ({ ms: file.endTime - file.startTime, name: path.relative(root, file.name) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 10);
  lines.push('  slowest files: ' + slowest.map((file) => `${file.name} ${(file.ms / 1000).toFixed(1)} s`).join(', '));
  process.stderr.write(lines.join('\n') + '\n');

  const failed = done.find((run) => run.code !== 0);
  return failed ? failed.code : merged.success ? 0 : 1;
}

const args = process.argv.slice(2);
const options = process.env.TEST_PROJECTS_SERIAL === '1' ? null : parse(args);
process.exitCode = options ? await runGroups(options) : await runJest(args);
