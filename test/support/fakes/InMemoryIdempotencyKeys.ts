// Idempotency-Key records in memory, for the use-case unit tests; the same rules as
// store/MongoIdempotencyKeys.ts (a claim and each attempt decided once), proven against the real
// database by test/integration/service/idempotency.test.ts.
import type { IdempotencyAnswer, IdempotencyKeys, IdempotencyRecord } from '../../../webhook-service/usecases/ports/IdempotencyKeys';

export class InMemoryIdempotencyKeys implements IdempotencyKeys {
  private readonly records = new Map<string, IdempotencyRecord>();
  private readonly attempts = new Set<string>();

  async claim(record: IdempotencyRecord): Promise<{ claimed: boolean; record: IdempotencyRecord }> {
    const stored = this.records.get(record.id);
    if (stored) return { claimed: false, record: structuredClone(stored) };
    this.records.set(record.id, structuredClone(record));
    return { claimed: true, record };
  }

  async read(id: string): Promise<IdempotencyRecord | null> {
    const stored = this.records.get(id);
    return stored ? structuredClone(stored) : null;
  }

  async takeOver(id: string, attempt: number, at: Date): Promise<boolean> {
    const stored = this.records.get(id);
    if (!stored || this.attempts.has(`${id}#${attempt}`)) return false;
    this.attempts.add(`${id}#${attempt}`);
    Object.assign(stored, { attempt, attemptStartedAt: at, released: false });
    return true;
  }

  async release(id: string, attempt: number): Promise<void> {
    const stored = this.records.get(id);
    if (stored?.attempt === attempt) stored.released = true;
  }

  async answer(id: string, attempt: number, answer: IdempotencyAnswer): Promise<void> {
    const stored = this.records.get(id);
    if (stored?.attempt === attempt) stored.answer = { ...answer };
  }

  async deleteOlderThan(cutoff: Date): Promise<number> {
    let deleted = 0;
    for (const [id, record] of this.records) {
      if (record.createdAt < cutoff) {
        this.records.delete(id);
        deleted += 1;
      }
    }
    return deleted;
  }
}
