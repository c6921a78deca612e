// @livekit/rtc-node logs (pino, debug level outside production) straight to stdout, where the
// doctor prints its report (and its --json). Its warnings and errors go to stderr instead. The
// logger is a module of the package that its exports map does not name, so it is loaded by its
// file, and its stream swapped through the public symbols of the pino the package ships with (as
// test/support/rtcClientLogs.ts does); a package layout without that file leaves the logs as they are.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type pino from 'pino';

export function rtcLogsToStderr(): void {
  const load = createRequire(__filename);
  const packageDir = path.dirname(load.resolve('@livekit/rtc-node'));
  const logModule = path.join(packageDir, 'log.cjs');
  if (!fs.existsSync(logModule)) return;
  const theirPino = load(load.resolve('pino', { paths: [packageDir] })) as typeof pino;
  const { log } = load(logModule) as { log: pino.Logger & Record<symbol, unknown> };
  log.level = 'warn';
  log[theirPino.symbols.streamSym] = theirPino.destination({ dest: 2, sync: true });
}
