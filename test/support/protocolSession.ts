// A session of the widget's e2e tests in which the test plays the service's part through
// LiveKit's server API: a fresh room with a waiting snapshot, join tokens with the role
// attribute the service would mint, and the service's moves (start: snapshot then
// session_started; close: the closed snapshot then session_ended), each one call away.

import { randomUUID } from 'node:crypto';
import { AccessToken, DataPacket_Kind, ParticipantInfo_State, type RoomServiceClient } from 'livekit-server-sdk';
import type { Browser } from 'playwright-core';
import { encodeMessage, encodeSnapshot, SESSION_ATTRIBUTE, TOPIC, type EndReason, type SessionSnapshot } from '../../plugin/protocol';
import { openWidget, type WidgetPage } from './widgetPage';

export interface ProtocolSessionDeps {
  rooms: RoomServiceClient;
  apiKey: string;
  apiSecret: string;
  livekitUrl: string;
  /** The static server with the harness page. */
  siteUrl: string;
  browser: Browser;
  /** Pages opened here are pushed on it, for the suite's afterEach to close. */
  opened: WidgetPage[];
}

export type ProtocolSession = Awaited<ReturnType<typeof newProtocolSession>>;

const CLOSED_STATUS: Record<EndReason, SessionSnapshot['status']> = { ended: 'ended', timeout: 'ended', cancelled: 'cancelled', no_show: 'no_show' };

/** One session of our own: a fresh room whose snapshot says waiting. */
export async function newProtocolSession(deps: ProtocolSessionDeps) {
  const { rooms } = deps;
  const roomName = `widget-${randomUUID()}`;
  const sessionId = `sess-${randomUUID()}`;
  await rooms.createRoom({ name: roomName, emptyTimeout: 120 });
  const snapshot = (status: SessionSnapshot['status'], startedAt: string | null, messageId: string | null, reason: EndReason | null = null): string =>
    encodeSnapshot({ v: 1, type: 'session_snapshot', sessionId, status, startedAt, endedAt: reason ? new Date().toISOString() : null, reason, messageId });
  await rooms.updateRoomMetadata(roomName, snapshot('waiting', null, null));
  let startedAt: string | null = null;

  /** A join token as the service mints it: the role and the session's id as attributes (and `attributes`, the clinic's call settings). */
  const token = async (identity: string, role: string, extra: { hidden?: boolean; canPublish?: boolean; canPublishData?: boolean; attributes?: Record<string, string> } = {}) => {
    const { attributes, ...grant } = extra;
    const at = new AccessToken(deps.apiKey, deps.apiSecret, { identity, ttl: '10m', attributes: { 'autostart.role': role, [SESSION_ATTRIBUTE]: sessionId, ...attributes } });
    at.addGrant({ roomJoin: true, room: roomName, canPublish: true, canSubscribe: true, canPublishData: true, ...grant });
    return at.toJwt();
  };
  /** `texts`: text-* attributes; `dir` and `colorScheme` for the page's direction and system colour scheme. */
  const open = async (
    identity: string,
    role: 'student' | 'counselor',
    on: { browser?: Browser; permissions?: string[]; lang?: string; dir?: 'ltr' | 'rtl'; texts?: Record<string, string>; colorScheme?: 'light' | 'dark'; endUrl?: string; token?: string } = {},
  ) => {
    const params: Record<string, string> = { 'participant-role': role, token: on.token ?? (await token(identity, role)), 'server-url': deps.livekitUrl, ...on.texts };
    if (on.lang) params.lang = on.lang;
    if (on.dir) params.dir = on.dir;
    if (on.endUrl) params['end-url'] = on.endUrl;
    const page = await openWidget(on.browser ?? deps.browser, deps.siteUrl, params, { permissions: on.permissions, colorScheme: on.colorScheme });
    deps.opened.push(page);
    return page;
  };
  /** What the service does on activation: snapshot first (the authority), then the message. */
  const activate = async (options: { messageFirst?: boolean; startedAt?: Date } = {}) => {
    startedAt = (options.startedAt ?? new Date()).toISOString();
    const messageId = `msg-${randomUUID()}`;
    const writeSnapshot = () => rooms.updateRoomMetadata(roomName, snapshot('active', startedAt, messageId));
    const send = () => rooms.sendData(roomName, encodeMessage({ v: 1, type: 'session_started', messageId, sessionId, startedAt: startedAt ?? '' }), DataPacket_Kind.RELIABLE, { topic: TOPIC });
    if (options.messageFirst) await send();
    await writeSnapshot();
    if (!options.messageFirst) await send();
    return { startedAt, messageId };
  };
  /** What the service does when the session closes: the closed snapshot, then session_ended. */
  const close = async (reason: EndReason) => {
    const messageId = `msg-${randomUUID()}`;
    await rooms.updateRoomMetadata(roomName, snapshot(CLOSED_STATUS[reason], startedAt, messageId, reason));
    await rooms.sendData(roomName, encodeMessage({ v: 1, type: 'session_ended', messageId, sessionId, endedAt: new Date().toISOString(), reason }), DataPacket_Kind.RELIABLE, { topic: TOPIC });
  };
  const waitUntilActive = async (identities: string[], timeout = 15_000) => {
    const deadline = Date.now() + timeout;
    for (;;) {
      const participants = await rooms.listParticipants(roomName);
      const active = participants.filter((p) => p.state === ParticipantInfo_State.ACTIVE).map((p) => p.identity);
      if (identities.every((identity) => active.includes(identity))) return;
      if (Date.now() > deadline) throw new Error(`participants not active in time: ${active.join(', ')}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  /** Every track LiveKit holds published in the room, by participant. */
  const publishedTracks = async () => (await rooms.listParticipants(roomName)).map((p) => ({ identity: p.identity, tracks: p.tracks.length }));
  return { roomName, sessionId, token, open, activate, close, waitUntilActive, publishedTracks };
}
