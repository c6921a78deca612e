// Registration, kept apart from the class so importing the module has no side effect and a
// second copy of the script (two bundles on one page) does not throw on a taken tag.

import { TAG_NAME } from './contract';
import { LiveKitWaitingRoomElement } from './element';

export { TAG_NAME };

/** Defines the element under `tag` unless something is already registered there. */
export function defineLiveKitWaitingRoom(tag: string = TAG_NAME): void {
  if (!customElements.get(tag)) customElements.define(tag, class extends LiveKitWaitingRoomElement {});
}

declare global {
  interface HTMLElementTagNameMap {
    'livekit-waiting-room': LiveKitWaitingRoomElement;
  }
}
