// The schedule of fresh-token attempts after LiveKit gave up reconnecting.

import { REJOIN_DELAYS_MS, rejoinDelay } from '../../../widget/rejoin';

describe('rejoining with a fresh token', () => {
  it('waits a little at first, then longer, never shorter than before, and gives up after about 45 s', () => {
    const delays: number[] = [];
    for (let tries = 0; rejoinDelay(tries) !== null; tries += 1) delays.push(rejoinDelay(tries) as number);
    expect(delays).toEqual(REJOIN_DELAYS_MS);
    expect(delays[0]).toBeLessThanOrEqual(1_000);
    expect(delays.every((delay, index) => index === 0 || delay >= (delays[index - 1] as number))).toBe(true);
    const total = delays.reduce((sum, delay) => sum + delay, 0);
    expect(total).toBeGreaterThanOrEqual(30_000);
    expect(total).toBeLessThanOrEqual(60_000);
  });

  it('a nonsense attempt number gives up rather than retrying for ever', () => {
    for (const tries of [-1, 1.5, Number.NaN, REJOIN_DELAYS_MS.length]) expect(rejoinDelay(tries)).toBeNull();
  });
});
