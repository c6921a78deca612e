// jest setupFiles of the projects that run WebRTC clients (@livekit/rtc-node): its logger (pino,
// debug level outside production, written straight to stdout) goes to .stack/logs/rtc-node.log
// instead, so the test output shows suites, failures and figures. The logger is a module of the
// package that its exports map does not name, so it is loaded by its file, and its stream is
// swapped through the public symbols of the pino the package itself uses (it ships its own).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type pino from 'pino';

const load = createRequire(__filename);
const packageDir = path.dirname(load.resolve('@livekit/rtc-node'));
const logModule = path.join(packageDir, 'log.cjs');
if (fs.existsSync(logModule)) {
  const theirPino = load(load.resolve('pino', { paths: [packageDir] })) as typeof pino;
  const { log } = load(logModule) as { log: pino.Logger & Record<symbol, unknown> };
  const directory = path.resolve(__dirname, '../../.stack/logs');
  fs.mkdirSync(directory, { recursive: true });
  log[theirPino.symbols.streamSym] = theirPino.destination({ dest: path.join(directory, 'rtc-node.log'), append: true, sync: true });
}
