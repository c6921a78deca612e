// The page's own controls by its role, and the role read from a join token before connecting.

import { AccessToken } from 'livekit-server-sdk';
import { ROLE_ATTRIBUTE } from '../../../plugin/roles';
import { PARTICIPANT_ROLES } from '../../../plugin/participants';
import { ownControls, tokenRole } from '../../../widget/ownRole';

async function joinToken(attributes?: Record<string, string>): Promise<string> {
  const token = new AccessToken('devkey', 'secret-of-at-least-32-characters-long', { identity: 'person-1', name: 'Zoë Núñez', attributes });
  token.addGrant({ room: 'room-1', roomJoin: true, canPublish: false, canPublishData: false, hidden: true });
  return token.toJwt();
}

describe('the page’s own controls', () => {
  it('when the page is an observer’s, then it captures no device, offers no chat and says at the start that they observe', () => {
    expect(ownControls('observer')).toEqual({ media: false, chat: false, started: 'youAreObserving', resumed: 'youAreObserving' });
  });

  it('when the page is anyone else’s, or names no role, then it takes part in full', () => {
    for (const role of [...PARTICIPANT_ROLES.filter((role) => role !== 'observer'), 'guest', null, undefined]) {
      expect([role, ownControls(role)]).toEqual([role, { media: true, chat: true, started: 'sessionStarted', resumed: 'sessionResumed' }]);
    }
  });
});

describe('the role a join token names', () => {
  it('when the token carries the role attribute, then it is read before connecting (whatever else the payload holds)', async () => {
    expect(tokenRole(await joinToken({ [ROLE_ATTRIBUTE]: 'observer', 'autostart.session': 's-1' }))).toBe('observer');
    expect(tokenRole(await joinToken({ [ROLE_ATTRIBUTE]: 'co_counselor' }))).toBe('co_counselor');
  });

  it('when the token names no role, or is not a JWT, then there is none', async () => {
    expect(tokenRole(await joinToken())).toBeNull();
    for (const token of [undefined, '', 'not-a-jwt', 'a.b.c', 'a.%%%.c', `a.${btoa('[1]')}.c`]) expect([token, tokenRole(token)]).toEqual([token, null]);
  });
});
