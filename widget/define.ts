// Registration, kept apart from the class so importing the module has no side effect and a
// second copy of the script (two bundles on one page) does not throw on a taken tag. Importing
// touches no DOM global, so a server-rendered page may import it; only a call defines.

import { TAG_NAME } from './contract';
import { LiveKitWaitingRoomElement } from './element';

export { TAG_NAME };

/**
 * Defines the element under `tag` unless something is already registered there. On a server
 * (no `customElements`: Next.js, Remix, Nuxt rendering) it does nothing, so a shared module may call it.
 */
export function defineLiveKitWaitingRoom(tag: string = TAG_NAME): void {
  if (typeof customElements === 'undefined') return;
  if (!customElements.get(tag)) customElements.define(tag, class extends LiveKitWaitingRoomElement {});
}

declare global {
  interface HTMLElementTagNameMap {
    'livekit-waiting-room': LiveKitWaitingRoomElement;
  }
}
