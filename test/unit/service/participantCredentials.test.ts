// A participant's credential is the join token the service minted: what it proves, and for how long.
import { DEFAULT_CALL_SETTINGS } from '../../../plugin';
import { AccessToken } from 'livekit-server-sdk';
import { liveKitJoinTokens } from '../../../webhook-service/livekit/joinTokens';
import { liveKitParticipantCredentials } from '../../../webhook-service/livekit/participantCredentials';

const KEY = 'unit-key';
const SECRET = 'unit-secret-unit-secret-unit-secret';
const credentials = liveKitParticipantCredentials({ apiKey: KEY, apiSecret: SECRET });
const minter = liveKitJoinTokens({ apiKey: KEY, apiSecret: SECRET, ttlSeconds: 600, publicUrl: 'ws://127.0.0.1:7880' });

/** A join token like ours, expired `agoSeconds` ago (jose reads a negative lifetime). */
async function expiredToken(agoSeconds: number): Promise<string> {
  const token = new AccessToken(KEY, SECRET, { identity: 'cou', ttl: `-${agoSeconds}s`, attributes: { 'autostart.session': 'ses_1', 'autostart.role': 'counselor' } });
  token.addGrant({ roomJoin: true, room: 'room-1' });
  return token.toJwt();
}

describe('participant credentials', () => {
  test('a join token we minted names its holder, session and room', async () => {
    const { token } = await minter.mint({ identity: 'cou', sessionId: 'ses_1', room: 'room-1', role: 'counselor', canPublish: false, publishSources: ['camera', 'microphone'], callSettings: DEFAULT_CALL_SETTINGS });
    await expect(credentials.verify(token)).resolves.toEqual({ identity: 'cou', sessionId: 'ses_1', room: 'room-1' });
  });

  test("an expired join token still carries its holder's actions for the action window, not after", async () => {
    await expect(credentials.verify(await expiredToken(3600))).resolves.toMatchObject({ identity: 'cou' });
    await expect(credentials.verify(await expiredToken(13 * 3600))).rejects.toMatchObject({ code: 'participant_unauthorized' });
  });

  test.each([
    ['garbage', async () => 'not-a-jwt'],
    ['a token signed with another secret', async () => (await liveKitJoinTokens({ apiKey: KEY, apiSecret: 'another-secret-another-secret-xx', ttlSeconds: 600, publicUrl: 'ws://x' }).mint({ identity: 'cou', sessionId: 'ses_1', room: 'room-1', role: 'counselor', canPublish: true, publishSources: ['camera', 'microphone'], callSettings: DEFAULT_CALL_SETTINGS })).token],
    [
      'a token of our key without a session',
      async () => {
        const token = new AccessToken(KEY, SECRET, { identity: 'cou' });
        token.addGrant({ roomJoin: true, room: 'room-1' });
        return token.toJwt();
      },
    ],
    [
      'a token of our key that joins no room (an API token)',
      async () => {
        const token = new AccessToken(KEY, SECRET, { identity: 'cou', attributes: { 'autostart.session': 'ses_1' } });
        token.addGrant({ roomAdmin: true, room: 'room-1' });
        return token.toJwt();
      },
    ],
  ])('%s proves nobody', async (_case, make) => {
    await expect(credentials.verify(await make())).rejects.toMatchObject({ code: 'participant_unauthorized' });
  });
});
