// What the composition root builds on: every resource of the service (a connection, a queue, a
// worker, a timer, a listening port) is opened in order onto one stack and closed in reverse. A
// resource is pushed before its start runs, so one whose connect fails half way is closed with
// the others; a start that fails closes everything opened before it and throws a StartFailure
// naming the dependency, so a failed start leaves no connection behind and says what was missing.

/** A start that failed: `dependency` names what could not be opened (and where), `cause` says why. */
export class StartFailure extends Error {
  constructor(
    readonly dependency: string,
    cause: unknown,
  ) {
    super(`could not open ${dependency}`, { cause });
    this.name = 'StartFailure';
  }
}

/** The error and its causes, one message after another: what an operator reads when a start fails. */
export function describeFailure(error: unknown): string {
  const messages: string[] = [];
  for (let current: unknown = error; current !== undefined && current !== null && messages.length < 8; current = (current as { cause?: unknown }).cause) {
    const message = current instanceof Error ? current.message : String(current);
    if (message && !messages.includes(message)) messages.push(message);
    if (!(current instanceof Error)) break;
  }
  return messages.join(': ');
}

interface Opened {
  dependency: string;
  close: () => Promise<void> | void;
}

export class ResourceStack {
  private readonly opened: Opened[] = [];
  private closing: Promise<void> | null = null;

  /**
   * Pushes `resource` (closed by `close`), then runs its `start` (a connect, a readiness wait).
   * When the start fails, everything on the stack, this resource included, is closed and a
   * StartFailure naming `dependency` is thrown.
   */
  async open<T>(dependency: string, resource: T, close: (resource: T) => Promise<void> | void, start?: (resource: T) => Promise<unknown>): Promise<T> {
    if (this.closing) {
      // Stopped while this one was being made: it is closed at once rather than left open.
      await close(resource);
      throw new StartFailure(dependency, new Error('the service was stopped while it started'));
    }
    this.opened.push({ dependency, close: () => close(resource) });
    if (start) await this.step(dependency, () => start(resource));
    return resource;
  }

  /** Opens a resource whose making is itself the start (it cleans up after itself when it fails). */
  async openMade<T>(dependency: string, make: () => Promise<T>, close: (resource: T) => Promise<void> | void): Promise<T> {
    const resource = await this.step(dependency, make);
    return this.open(dependency, resource, close);
  }

  /** A start step that opens nothing of its own (writing the job schedules): a failure closes the stack. */
  async step<T>(dependency: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      await this.close().catch(() => undefined);
      throw error instanceof StartFailure ? error : new StartFailure(dependency, error);
    }
  }

  /** Runs `work` every `everyMs` until the stack closes; a failure goes to `onFailure`, never thrown. */
  repeat(name: string, everyMs: number, work: () => Promise<unknown>, onFailure: (error: unknown) => void): Promise<NodeJS.Timeout> {
    const timer = setInterval(() => {
      work().catch(onFailure);
    }, everyMs).unref();
    return this.open(name, timer, clearInterval);
  }

  /**
   * Closes every resource, the last opened first. Each is closed even when one before it fails;
   * the failures are thrown together afterwards. Closing twice closes once.
   */
  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private async closeAll(): Promise<void> {
    const failures: Error[] = [];
    for (let resource = this.opened.pop(); resource; resource = this.opened.pop()) {
      try {
        await resource.close();
      } catch (error) {
        failures.push(new Error(`closing ${resource.dependency} failed`, { cause: error }));
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, failures.map(describeFailure).join('; '));
  }
}
