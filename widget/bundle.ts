// Entry of the script-tag bundle: one <script src="livekit-waiting-room.js"> registers the
// element, and `window.LiveKitWaitingRoom` exposes the same API as the ES module.

import { defineLiveKitWaitingRoom } from './define';

export * from './index';

defineLiveKitWaitingRoom();
