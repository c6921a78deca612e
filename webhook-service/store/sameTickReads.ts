// Reads of the session copy asked in the same turn of the event loop go to Redis as one
// pipeline: one write and one answer instead of one each. A webhook asks for its session's head
// and its kept fold at once, and concurrent webhooks' reads meet the same way; on this machine a
// socket write costs more of the intake's CPU than the command it carries. Unlike ioredis's
// auto-pipelining, a batch is sent at once, never held until the one before it is answered.
import type { ChainableCommander } from 'ioredis';
import type Redis from 'ioredis';

interface PendingRead {
  commands: (pipeline: ChainableCommander) => void;
  resolve: (replies: unknown[]) => void;
  reject: (error: unknown) => void;
}

export class SameTickReads {
  private pending: PendingRead[] = [];

  constructor(private readonly redis: Redis) {}

  /** Adds `commands` to this turn's pipeline; resolves with their results in order, or rejects with the first command's error. */
  read(commands: (pipeline: ChainableCommander) => void): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      // After the reads of this turn's microtasks have joined (a tick runs once they are done).
      if (this.pending.length === 0) process.nextTick(() => this.send());
      this.pending.push({ commands, resolve, reject });
    });
  }

  private send(): void {
    const batch = this.pending;
    this.pending = [];
    const pipeline = this.redis.pipeline();
    const ends = batch.map((entry) => {
      entry.commands(pipeline);
      return pipeline.length;
    });
    pipeline.exec().then(
      (replies) => {
        batch.forEach((entry, index) => {
          if (!replies) return entry.reject(new Error('the read pipeline was discarded'));
          const own = replies.slice(index === 0 ? 0 : ends[index - 1], ends[index]);
          const failed = own.find(([error]) => error);
          if (failed) entry.reject(failed[0]);
          else entry.resolve(own.map(([, result]) => result));
        });
      },
      (error: unknown) => batch.forEach((entry) => entry.reject(error)),
    );
  }
}
