// One server of the local stack as a child process: output to a log file, a readiness probe
// polled with a deadline, and a stop that escalates from SIGTERM to SIGKILL. Every live child is
// also listed in `running` so the launcher can kill them all synchronously when Node exits.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface ServerSpec {
  /** Short name, used for the log file (`<name>.log`) and in error messages. */
  name: string;
  command: string;
  args: string[];
  cwd: string;
  /** Resolves once the server answers; throws (or returns false) while it does not yet. */
  ready: () => Promise<boolean>;
  /** How long to wait for `ready`, in milliseconds. */
  readyTimeoutMs: number;
  /**
   * Signals sent one second apart before SIGKILL. LiveKit drains on its first SIGTERM (waiting
   * for participants) and stops at once on the second one.
   */
  stopSignals: NodeJS.Signals[];
}

export const running = new Set<ChildProcess>();

export class ServerProcess {
  private exited: Promise<void>;
  private exitCode: number | null | undefined;

  private constructor(
    readonly spec: ServerSpec,
    readonly logFile: string,
    private readonly child: ChildProcess,
  ) {
    running.add(child);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        running.delete(child);
        resolve();
      });
      child.once('error', () => {
        this.exitCode = -1;
        running.delete(child);
        resolve();
      });
    });
  }

  static start(spec: ServerSpec, logDir: string): ServerProcess {
    const logFile = path.join(logDir, `${spec.name}.log`);
    const fd = fs.openSync(logFile, 'a');
    try {
      const child = spawn(spec.command, spec.args, { cwd: spec.cwd, stdio: ['ignore', fd, fd] });
      return new ServerProcess(spec, logFile, child);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Polls the readiness probe until it passes, the process dies, or the deadline passes. */
  async waitReady(): Promise<void> {
    const deadline = Date.now() + this.spec.readyTimeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (this.exitCode !== undefined) throw this.failure(`exited (code ${this.exitCode}) before it was ready`);
      try {
        if (await this.spec.ready()) return;
      } catch (error) {
        lastError = error;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw this.failure(`did not answer within ${this.spec.readyTimeoutMs} ms`, lastError);
  }

  /** The process id, for tests that check its sockets or stop it their own way. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends one signal (a fault test's SIGKILL, or a single SIGTERM) and leaves the rest to the caller. */
  signal(signal: NodeJS.Signals): void {
    if (this.exitCode === undefined) this.child.kill(signal);
  }

  /** Resolves once the process has exited, however it ended. */
  waitExit(): Promise<void> {
    return this.exited;
  }

  async stop(deadlineMs = 8000): Promise<void> {
    if (this.exitCode !== undefined) return;
    const kill = (signal: NodeJS.Signals) => {
      if (this.exitCode === undefined) this.child.kill(signal);
    };
    const timers = this.spec.stopSignals.map((signal, i) => setTimeout(() => kill(signal), i * 1000));
    const hardKill = setTimeout(() => kill('SIGKILL'), deadlineMs);
    await this.exited;
    for (const timer of [...timers, hardKill]) clearTimeout(timer);
  }

  private failure(what: string, cause?: unknown): Error {
    let tail: string;
    try {
      tail = fs.readFileSync(this.logFile, 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      tail = '(no log)';
    }
    return new Error(`${this.spec.name} ${what}; log ${this.logFile} ends with:\n${tail}`, { cause });
  }
}
