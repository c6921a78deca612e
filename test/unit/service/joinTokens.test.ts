// The grants a join token carries, read back from the signed JWT with LiveKit's own verifier.
import { TokenVerifier } from 'livekit-server-sdk';
import { liveKitJoinTokens } from '../../../webhook-service/livekit/joinTokens';

const KEY = 'unit-key';
const SECRET = 'unit-secret-unit-secret-unit-secret';
const minter = liveKitJoinTokens({ apiKey: KEY, apiSecret: SECRET, ttlSeconds: 600, publicUrl: 'http://127.0.0.1:7880' });
const claimsOf = async (token: string) => new TokenVerifier(KEY, SECRET).verify(token);

describe('join tokens', () => {
  test('before the start: join and subscribe, no audio, video or data', async () => {
    const { token, url } = await minter.mint({ identity: 'stu', sessionId: 'ses_1', room: 'room-1', role: 'student', canPublish: false, publishSources: ['camera', 'microphone'], callSettings: { screenShare: 'counselor', chat: true } });
    expect(url).toBe('ws://127.0.0.1:7880');
    const claims = await claimsOf(token);
    expect(claims.video).toEqual({ roomJoin: true, room: 'room-1', canPublish: false, canSubscribe: true, canPublishData: false });
    expect(claims.attributes).toEqual({ 'autostart.role': 'student', 'autostart.session': 'ses_1', 'autostart.screen_share': 'counselor', 'autostart.chat': 'on' });
  });

  test('for an active session: publishing too, still never hidden nor allowed to change its own attributes', async () => {
    const { token } = await minter.mint({ identity: 'cou', sessionId: 'ses_1', room: 'room-1', role: 'counselor', canPublish: true, publishSources: ['camera', 'microphone', 'screen_share', 'screen_share_audio'], callSettings: { screenShare: 'counselor', chat: false } });
    const claims = await claimsOf(token);
    expect(claims.video).toEqual({ roomJoin: true, room: 'room-1', canPublish: true, canPublishSources: ['camera', 'microphone', 'screen_share', 'screen_share_audio'], canSubscribe: true, canPublishData: true });
    expect(claims.attributes).toMatchObject({ 'autostart.screen_share': 'counselor', 'autostart.chat': 'off' });
    expect(claims.video).not.toHaveProperty('hidden');
    expect(claims.video).not.toHaveProperty('canUpdateOwnMetadata');
  });
});

test('a student of a clinic that lets only counselors share: voice and video, no screen', async () => {
  const { token } = await minter.mint({ identity: 'stu', sessionId: 'ses_1', room: 'room-1', role: 'student', canPublish: true, publishSources: ['camera', 'microphone'], callSettings: { screenShare: 'counselor', chat: true } });
  expect((await claimsOf(token)).video?.canPublishSources).toEqual(['camera', 'microphone']);
});

test('a token given the observer notice carries it beside the role', async () => {
  const { token } = await minter.mint({ identity: 'gua', sessionId: 'ses_1', room: 'room-1', role: 'guardian', canPublish: false, publishSources: ['camera', 'microphone'], callSettings: { screenShare: 'counselor', chat: true }, disclosure: { 'autostart.observed': 'disclosed' } });
  expect((await claimsOf(token)).attributes).toMatchObject({ 'autostart.role': 'guardian', 'autostart.observed': 'disclosed' });
});
