// The real clock, injected by the composition root.
import type { Clock } from './usecases/ports/Clock';

export const systemClock: Clock = { now: () => Date.now() };
