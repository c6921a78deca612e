// The start rule as one sweep over connected spans: the first instant, within a window, at which
// every requirement of the roster holds at once. Spans are closed ([joinedAt, leftAt]: a leave
// is taken at the end of its stamped second), so at an instant joins count before leaves.
// O(n log n) for n spans; the session asks it only while the start can still move earlier.

import type { PresenceInterval } from './presence';
import type { Requirement } from './roster';
import type { Role } from './roles';

/** One connected span of someone filling a seat. */
export interface SeatSpan extends PresenceInterval {
  seat: string;
  role: Role;
}

/** Counts who fills which seat as spans open and close, and how many requirements still fail. */
class Coverage {
  private readonly open = new Map<string, number>();
  private readonly filledOfRole = new Map<Role, number>();
  private readonly seatRequired: Set<string>;
  private unmet: number;

  constructor(private readonly requirements: readonly Requirement[]) {
    this.seatRequired = new Set(requirements.flatMap((requirement) => (requirement.kind === 'seat' ? [requirement.seat] : [])));
    this.unmet = requirements.length;
  }

  get met(): boolean {
    return this.requirements.length > 0 && this.unmet === 0;
  }

  enter(span: SeatSpan): void {
    const before = this.open.get(span.seat) ?? 0;
    this.open.set(span.seat, before + 1);
    if (before === 0) this.seatChanged(span, 1);
  }

  leave(span: SeatSpan): void {
    const after = (this.open.get(span.seat) ?? 0) - 1;
    this.open.set(span.seat, after);
    if (after === 0) this.seatChanged(span, -1);
  }

  private seatChanged(span: SeatSpan, change: 1 | -1): void {
    if (this.seatRequired.has(span.seat)) this.unmet -= change;
    const filled = (this.filledOfRole.get(span.role) ?? 0) + change;
    this.filledOfRole.set(span.role, filled);
    for (const requirement of this.requirements) {
      if (requirement.kind !== 'role' || requirement.role !== span.role) continue;
      // Crossing the threshold upwards meets it; downwards breaks it again.
      if (change === 1 && filled === requirement.atLeast) this.unmet -= 1;
      if (change === -1 && filled === requirement.atLeast - 1) this.unmet += 1;
    }
  }
}

/**
 * The first instant in [from, until] (until null: no end) at which every requirement holds, or
 * null. The spans may be in any order; spans outside the window are skipped.
 */
export function firstMomentMet(requirements: readonly Requirement[], spans: Iterable<SeatSpan>, from: number, until: number | null): number | null {
  const coverage = new Coverage(requirements);
  const marks: { at: number; leaving: boolean; span: SeatSpan }[] = [];
  for (const span of spans) {
    if (span.leftAt !== null && span.leftAt < from) continue;
    if (until !== null && span.joinedAt > until) continue;
    if (span.joinedAt <= from) coverage.enter(span);
    else marks.push({ at: span.joinedAt, leaving: false, span });
    if (span.leftAt !== null && (until === null || span.leftAt < until)) marks.push({ at: span.leftAt, leaving: true, span });
  }
  if (coverage.met) return from;
  marks.sort((a, b) => a.at - b.at || Number(a.leaving) - Number(b.leaving));
  for (const mark of marks) {
    if (mark.leaving) {
      coverage.leave(mark.span);
      continue;
    }
    coverage.enter(mark.span);
    if (coverage.met) return mark.at;
  }
  return null;
}
