// `npm run bench`: starts the local stack and one service process, then measures ingest
// throughput beside its floors, start latency with real LiveKit clients, cost growth with
// stored history, a webhook's cost in a 16-person session against a pair's, and the widget's
// size and time to the waiting room. Prints a table of figures beside their targets and writes
// the JSON under bench/results/. `--smoke` runs a tiny version of every part (what `npm test`
// runs so the harness cannot rot).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runBench, type BenchOptions } from './harness';

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    'past-sessions': { type: 'string' },
    'start-sessions': { type: 'string' },
    'surge-sessions': { type: 'string' },
    'cpu-prof-dir': { type: 'string' },
  },
});

async function main(): Promise<void> {
  const options: BenchOptions = {
    smoke: values.smoke ?? false,
    sections: values.only ? (values.only.split(',') as BenchOptions['sections']) : undefined,
    pastSessions: values['past-sessions'] ? Number(values['past-sessions']) : undefined,
    startSessions: values['start-sessions'] ? Number(values['start-sessions']) : undefined,
    surgeSessions: values['surge-sessions'] ? Number(values['surge-sessions']) : undefined,
    cpuProfileDir: values['cpu-prof-dir'] ? path.resolve(values['cpu-prof-dir']) : undefined,
    resultsDir: path.resolve(__dirname, 'results'),
    log: (line) => console.log(line),
  };
  await runBench(options);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
