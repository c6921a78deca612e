// The widget's public API as an ES module. Importing it registers nothing: call
// defineLiveKitWaitingRoom(), or load the script-tag bundle, which does.

export { LiveKitWaitingRoomElement } from './element';
export { widgetApi } from './api';
export type { AttributeDoc, CssPropertyDoc, EventDoc, MethodDoc, NamedDoc, PropertyDoc, WidgetApi } from './api';
export { defineLiveKitWaitingRoom, TAG_NAME } from './define';
export { WaitingRoomController } from './controller';
export type { DeviceStatus, MediaStatus, RemoteTrackChange, WaitingRoomControllerEvents, WaitingRoomControllerOptions } from './controller';
export { WaitingRoomError } from './errors';
export type { WaitingRoomErrorCode } from './errors';
export type { LiveKitWaitingRoomEventMap, SessionEndedDetail, SessionStartedDetail, WaitingDetail, WaitingRoomErrorDetail } from './events';
export type { EndReason, Phase, WidgetState } from './sessionState';
export { en, es } from './texts';
export type { WaitingRoomTexts } from './texts';
export { fixedTokenSource, urlTokenSource } from './tokenSource';
export type { ConnectionDetails, TokenSource } from './tokenSource';
