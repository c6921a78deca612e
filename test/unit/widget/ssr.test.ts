// Server-side rendering (Next.js, Remix, Nuxt): importing the widget's module must not touch a
// DOM global (the import below would throw), and registering it on the server does nothing.
// No fake DOM here on purpose.

import * as widget from '../../../widget/index';

describe('the widget module on a server', () => {
  it('imports with no DOM globals, and defineLiveKitWaitingRoom() is a no-op there', () => {
    expect([typeof HTMLElement, typeof document, typeof customElements, typeof CSSStyleSheet]).toEqual(['undefined', 'undefined', 'undefined', 'undefined']);
    expect(typeof widget.LiveKitWaitingRoomElement).toBe('function');
    expect(() => widget.defineLiveKitWaitingRoom()).not.toThrow();
  });
});
