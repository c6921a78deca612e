// The element class without a browser: which attribute says who the local user is, how its DOM
// events go out (the `error` event must not bubble to window-level error trackers), and when
// the counselor is offered "End session for everyone".

import './fakeDom';
import type { FakeHTMLElement } from './fakeDom';
import { LiveKitWaitingRoomElement } from '../../../widget/element';
import { WaitingRoomError } from '../../../widget/errors';
import type { Notice } from '../../../widget/sessionState';

/** The element as these tests see it: its public role property, the fake DOM, and the two private handlers under test. */
type TestElement = FakeHTMLElement & {
  participantRole: LiveKitWaitingRoomElement['participantRole'];
  onNotice(notice: Notice): void;
  onError(error: WaitingRoomError): void;
  readonly offersEnd: boolean;
};

function newElement(attributes: Record<string, string> = {}): TestElement {
  const element = new LiveKitWaitingRoomElement() as unknown as TestElement;
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

describe('<livekit-waiting-room> element', () => {
  it('takes who the local user is from participant-role, never from the ARIA role attribute', () => {
    expect(LiveKitWaitingRoomElement.observedAttributes).toContain('participant-role');
    expect(LiveKitWaitingRoomElement.observedAttributes).not.toContain('role');

    const counselor = newElement({ 'participant-role': 'counselor' });
    expect(counselor.participantRole).toBe('counselor');
    counselor.onNotice({ type: 'waiting' });
    expect(counselor.dispatched.map((event) => [event.type, (event as CustomEvent).detail])).toEqual([['lwr-waiting', { waitingFor: 'student' }], ['waiting', { waitingFor: 'student' }]]);

    const ariaRoleOnly = newElement({ role: 'counselor' });
    expect(ariaRoleOnly.participantRole).toBe('student');

    const byProperty = newElement();
    byProperty.participantRole = 'counselor';
    expect(byProperty.getAttribute('participant-role')).toBe('counselor');
  });

  it('dispatches error on the element only: not bubbling, not composed, so window error listeners never see it', () => {
    const element = newElement();
    element.onError(new WaitingRoomError('media-denied', 'The camera could not be started (media-denied).'));
    const [event, legacy] = element.dispatched as CustomEvent[];
    expect(event).toMatchObject({ type: 'lwr-error', bubbles: false, composed: false });
    expect(legacy).toMatchObject({ type: 'error', bubbles: false, composed: false });
    expect(event?.detail).toEqual({ code: 'media-denied', message: 'The camera could not be started (media-denied).', fatal: false });
  });

  it('lets the session events bubble and cross shadow roots', () => {
    const element = newElement();
    element.onNotice({ type: 'waiting' });
    element.onNotice({ type: 'started', sessionId: 'sess-1', startedAt: '2026-01-05T10:00:03.000Z', resumed: false });
    element.onNotice({ type: 'ended', reason: 'left', sessionId: 'sess-1' });
    expect(element.dispatched.map(({ type, bubbles, composed }) => ({ type, bubbles, composed }))).toEqual(
      ['waiting', 'session-started', 'session-ended'].flatMap((type) => [
        { type: `lwr-${type}`, bubbles: true, composed: true },
        { type, bubbles: true, composed: true },
      ]),
    );
  });

  it('warns once per old event name that a listener uses, and not for the prefixed names', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const element = newElement() as unknown as LiveKitWaitingRoomElement;
      element.addEventListener('lwr-session-ended', () => undefined);
      expect(warn).not.toHaveBeenCalled();
      element.addEventListener('session-ended', () => undefined);
      element.addEventListener('session-ended', () => undefined);
      expect(warn.mock.calls).toEqual([['<livekit-waiting-room>: the "session-ended" event is now "lwr-session-ended"; the old name goes away in the next release.']]);
    } finally {
      warn.mockRestore();
    }
  });

  it('offers the counselor the end only when asked explicitly: end-button, an end-url; a listener alone no longer does', () => {
    const counselor = newElement({ 'participant-role': 'counselor' });
    expect(counselor.offersEnd).toBe(false);
    const element = counselor as unknown as LiveKitWaitingRoomElement;
    element.addEventListener('end-requested', () => undefined);
    expect(counselor.offersEnd).toBe(false);
    counselor.setAttribute('end-button', '');
    expect(counselor.offersEnd).toBe(true);
    expect(newElement({ 'participant-role': 'counselor', 'end-url': '/api/sessions/s1/end' }).offersEnd).toBe(true);
    expect(newElement({ 'participant-role': 'student', 'end-button': '', 'end-url': '/api/sessions/s1/end' }).offersEnd).toBe(false);
  });

  it('when the host’s own end call (handed over with waitUntil) fails, the button comes back and the failure is a non-fatal end-failed', async () => {
    const counselor = newElement({ 'participant-role': 'counselor', 'end-button': '' }) as TestElement & { onEndStep(step: string): Promise<void>; ending: boolean };
    (counselor as unknown as { dispatchEvent(event: CustomEvent): boolean }).dispatchEvent = (event: CustomEvent) => {
      counselor.dispatched.push(event);
      if (event.type === 'lwr-end-requested') {
        event.detail.waitUntil(Promise.reject(new Error('the portal could not end the session')));
        return false;
      }
      return true;
    };
    await counselor.onEndStep('confirm');
    expect(counselor.ending).toBe(false);
    const types = counselor.dispatched.map((event) => event.type);
    expect(types).toEqual(['lwr-end-requested', 'end-requested', 'lwr-error', 'error']);
    expect((counselor.dispatched[2] as CustomEvent).detail).toMatchObject({ code: 'end-failed', fatal: false });
  });
});
