// The service's own LiveKit API tokens: signed once per grant and reused while fresh.
import { ReusedTokens } from '../../../../webhook-service/livekit/reusedTokens';

function signer() {
  let signed = 0;
  return {
    sign: async () => ({ Authorization: `Bearer token-${++signed}` }),
    count: () => signed,
  };
}

describe('reused tokens', () => {
  test('calls about one room within the reuse window share one signing, even when made at once', async () => {
    let now = 0;
    const tokens = new ReusedTokens({ reuseForMs: 1000, now: () => now });
    const { sign, count } = signer();
    const grant = { roomAdmin: true, room: 'room-a' };
    const headers = await Promise.all([tokens.header(grant, sign), tokens.header({ ...grant }, sign), tokens.header(grant, sign)]);
    now = 999;
    headers.push(await tokens.header(grant, sign));
    expect(count()).toBe(1);
    expect(new Set(headers.map((header) => header.Authorization))).toEqual(new Set(['Bearer token-1']));
  });

  test('another room, or the window over, gets a token signed anew', async () => {
    let now = 0;
    const tokens = new ReusedTokens({ reuseForMs: 1000, now: () => now });
    const { sign, count } = signer();
    await tokens.header({ roomAdmin: true, room: 'room-a' }, sign);
    expect((await tokens.header({ roomAdmin: true, room: 'room-b' }, sign)).Authorization).toBe('Bearer token-2');
    now = 1000;
    expect((await tokens.header({ roomAdmin: true, room: 'room-a' }, sign)).Authorization).toBe('Bearer token-3');
    expect(count()).toBe(3);
  });

  test('a failed signing is not kept', async () => {
    const tokens = new ReusedTokens();
    const grant = { roomAdmin: true, room: 'room-a' };
    await expect(tokens.header(grant, async () => Promise.reject(new Error('no secret')))).rejects.toThrow('no secret');
    expect((await tokens.header(grant, async () => ({ Authorization: 'Bearer fresh' }))).Authorization).toBe('Bearer fresh');
  });

  test('keeps at most maxKept grants, forgetting the oldest first', async () => {
    const tokens = new ReusedTokens({ maxKept: 2 });
    const { sign, count } = signer();
    for (const room of ['a', 'b', 'c']) await tokens.header({ room }, sign);
    await tokens.header({ room: 'c' }, sign);
    expect(count()).toBe(3);
    await tokens.header({ room: 'a' }, sign);
    expect(count()).toBe(4);
  });
});
