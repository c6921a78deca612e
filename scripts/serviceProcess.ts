// Runs the webhook service as a child process, the way it runs in production: used by the e2e
// setup, the demo and the worker fault tests. Resolves once GET /healthz answers; stop() sends
// SIGTERM (graceful shutdown) and waits for the exit.
//
// `node --import tsx main.ts` rather than the `tsx` CLI: the CLI runs the script in a grandchild
// process, so its pid (and a kill -9 of it) would not reach the service itself.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { migrateDatabase } from '../webhook-service/store/migrate';

export interface ServiceProcessOptions {
  port: number;
  /** Environment of the service (config variables); PORT and HOST are set from `port`. */
  env: Readonly<Record<string, string>>;
  /** Extra arguments, e.g. `['--worker-only']`. */
  args?: readonly string[];
  /** Node's own options, before the script (e.g. `--cpu-prof`, which NODE_OPTIONS may not carry). */
  nodeArgs?: readonly string[];
  /** How long to wait for /healthz, in ms. @defaultValue 30000 */
  readyTimeoutMs?: number;
  /** Run the index migration on its MONGODB_URI first, as a deployment does. @defaultValue true */
  migrate?: boolean;
  /** Where the child's stdout (its JSON logs) and stderr go. @defaultValue 'inherit' */
  stdio?: 'inherit' | 'ignore' | 'pipe';
}

export interface ServiceProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

const root = path.resolve(__dirname, '..');

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

async function answersHealthz(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}

export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const host = '127.0.0.1';
  const url = `http://${host}:${options.port}`;
  const stdio = options.stdio ?? 'inherit';
  if ((options.migrate ?? true) && options.env.MONGODB_URI) await migrateDatabase(options.env.MONGODB_URI);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', 'webhook-service/main.ts', ...(options.args ?? [])], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...options.env, PORT: String(options.port), HOST: host },
    stdio: ['ignore', stdio, stdio],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('the service process did not start');
  // However the parent ends (the stack's signal guards exit through here too), no service
  // process may outlive it.
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited(child);
    clearTimeout(killTimer);
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  while (!(await answersHealthz(url))) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the service process exited (${child.exitCode ?? child.signalCode}) before answering /healthz`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the service process did not answer ${url}/healthz in time`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, pid, child, stop };
}
