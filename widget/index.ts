// The widget's public API as an ES module. Importing it registers nothing: call
// defineLiveKitWaitingRoom(), or load the script-tag bundle, which does. The documented API
// (attributes, events, parts) ships as custom-elements.json.

export { LiveKitWaitingRoomElement } from './element';
export { defineLiveKitWaitingRoom, TAG_NAME } from './define';
export { WaitingRoomController } from './controller';
export type { DeviceLists, DeviceStatus, MediaKind, MediaStatus, OtherParty, RemoteTrackChange, WaitingRoomControllerEvents, WaitingRoomControllerOptions } from './controller';
export { WaitingRoomError } from './errors';
export type { WaitingRoomErrorCode } from './errors';
export type { EndRequestedDetail, LiveKitWaitingRoomEventMap, WaitingRoomEvents, SessionEndedDetail, SessionStartedDetail, WaitingDetail, WaitingRoomErrorDetail } from './events';
export type { EndReason, Phase, WidgetState } from './sessionState';
export { en, es } from './texts';
export type { WaitingRoomTexts } from './texts';
export { fixedTokenSource, urlTokenSource } from './tokenSource';
export type { ConnectionDetails, TokenRequest, TokenRequestHook, TokenSource, UrlTokenSourceOptions } from './tokenSource';
