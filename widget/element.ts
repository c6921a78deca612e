/**
 * `<livekit-waiting-room>`: the drop-in waiting room and call for a counseling session.
 * Until both student and counselor are connected it shows a waiting room; when the service
 * starts the session (room-metadata snapshot, confirmed `session_started` data message) it
 * turns into the call. A thin view over {@link WaitingRoomController}.
 *
 * Attributes
 * - `token-url`   URL answering `{ token, url }` JSON (POST, or GET when POST answers 405).
 * - `token`, `server-url`  fixed credentials instead of `token-url`.
 * - `role`        `student` (default) | `counselor`: who the local user is.
 * - `lang`        `en` (default) | `es`; falls back to the nearest ancestor's `lang`.
 * - `text-*`      overrides any text, kebab-case of its key: `text-waiting-for-counselor`,
 *                 `text-session-started`, ... (keys in texts.ts).
 *
 * Properties
 * - `room: Room`  attach to a livekit-client Room the page already connects (no connect, no publish).
 * - `tokenSource: () => Promise<{ token, url }>`  called on every (re)connect.
 * - `texts: Partial<WaitingRoomTexts>`  text overrides (attributes win over this).
 * - `phase` (read-only)  idle | connecting | waiting | active | reconnecting | ended | failed.
 * - `leave()`, `retry()` methods.
 *
 * Events (CustomEvent, bubbling, composed)
 * - `waiting`          detail `{ waitingFor }`: the waiting room shows.
 * - `session-started`  detail `{ sessionId, startedAt, resumed }`.
 * - `session-ended`    detail `{ sessionId, reason: session-ended | room-deleted | left | replaced }`.
 * - `error`            detail `{ code, message, fatal }`; a denied camera is `fatal: false`.
 *
 * Slots: `logo` (header), `waiting` (extra waiting-room content), `ended` (extra ended content).
 *
 * CSS parts: base, header, status, waiting-room, heading, waited, preview, call, remote-video,
 * self-video, ended, media-notice, error, system-message, actions, button, retry-button,
 * enable-audio-button, leave-button.
 *
 * CSS custom properties: --lwr-accent, --lwr-font, --lwr-background, --lwr-foreground,
 * --lwr-muted, --lwr-radius, --lwr-stage-background, --lwr-max-width.
 */

import { Track, type Room } from 'livekit-client';
import { WaitingRoomController, type MediaStatus, type RemoteTrackChange } from './controller';
import type { WaitingRoomError } from './errors';
import type { LiveKitWaitingRoomEventMap } from './events';
import type { Notice, Phase, SessionView } from './sessionState';
import { template } from './template';
import { fixedTokenSource, urlTokenSource, type TokenSource } from './tokenSource';
import { formatWaited, resolveTexts, TEXT_KEYS, textAttributeName, type WaitingRoomTexts } from './texts';
import { WaitingRoomView } from './view';

const CONFIG_ATTRIBUTES = ['token', 'token-url', 'server-url'];

export class LiveKitWaitingRoomElement extends HTMLElement {
  static readonly observedAttributes = [...CONFIG_ATTRIBUTES, 'role', 'lang', ...TEXT_KEYS.map(textAttributeName)];

  private controller: WaitingRoomController | null = null;
  private ui: WaitingRoomView | null = null;
  private borrowedRoom: Room | undefined;
  private customTokenSource: TokenSource | undefined;
  private textOverrides: Partial<WaitingRoomTexts> | undefined;
  private ticker: ReturnType<typeof setInterval> | null = null;

  get room(): Room | undefined {
    return this.borrowedRoom;
  }
  set room(room: Room | undefined) {
    this.borrowedRoom = room;
    this.restart();
  }

  get tokenSource(): TokenSource | undefined {
    return this.customTokenSource;
  }
  set tokenSource(source: TokenSource | undefined) {
    this.customTokenSource = source;
    this.restart();
  }

  get texts(): Partial<WaitingRoomTexts> | undefined {
    return this.textOverrides;
  }
  set texts(texts: Partial<WaitingRoomTexts> | undefined) {
    this.textOverrides = texts;
    this.refresh();
  }

  get phase(): Phase {
    return this.controller?.state.phase ?? 'idle';
  }

  /** Named apart from HTMLElement.role, which is the ARIA role reflection of the same attribute. */
  private get participantRole(): 'student' | 'counselor' {
    return this.getAttribute('role') === 'counselor' ? 'counselor' : 'student';
  }

  connectedCallback(): void {
    if (!this.ui) this.ui = new WaitingRoomView(this.shadowRoot ?? this.attachShadow({ mode: 'open' }), template);
    this.ui.onRetry = () => this.retry();
    this.ui.onLeave = () => void this.leave();
    this.ui.onEnableAudio = () => void this.controller?.startAudio();
    // Properties are often set right after the element is inserted: start once they had a chance.
    queueMicrotask(() => {
      if (this.isConnected && !this.controller) this.restart();
    });
    this.refresh();
  }

  disconnectedCallback(): void {
    this.stopController();
  }

  attributeChangedCallback(name: string, previous: string | null, next: string | null): void {
    if (previous === next) return;
    if (CONFIG_ATTRIBUTES.includes(name)) this.restart();
    else this.refresh();
  }

  /** Leaves the call; the element shows its ended state with a Rejoin button. */
  async leave(): Promise<void> {
    await this.controller?.leave();
  }

  /** Connects again after a failure or after leaving. */
  retry(): void {
    if (this.controller) void this.controller.start();
    else this.restart();
  }

  override addEventListener<K extends keyof LiveKitWaitingRoomEventMap>(
    type: K,
    listener: (this: LiveKitWaitingRoomElement, event: LiveKitWaitingRoomEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  private tokenSourceFromAttributes(): TokenSource | undefined {
    if (this.customTokenSource) return this.customTokenSource;
    const tokenUrl = this.getAttribute('token-url');
    const serverUrl = this.getAttribute('server-url');
    if (tokenUrl) return urlTokenSource(new URL(tokenUrl, document.baseURI).href, serverUrl);
    const token = this.getAttribute('token');
    if (token && serverUrl) return fixedTokenSource(token, serverUrl);
    return undefined;
  }

  private restart(): void {
    if (!this.isConnected || !this.ui) return;
    this.stopController();
    let tokenSource: TokenSource | undefined;
    try {
      tokenSource = this.tokenSourceFromAttributes();
    } catch (error) {
      this.onError(error as WaitingRoomError);
      return;
    }
    if (!this.borrowedRoom && !tokenSource) return;
    const controller = new WaitingRoomController({ room: this.borrowedRoom, tokenSource });
    controller.on('state', () => this.refresh());
    controller.on('notice', (notice) => this.onNotice(notice));
    controller.on('media', (status) => this.onMedia(status));
    controller.on('localVideo', (track) => this.ui?.showLocalVideo(track));
    controller.on('remoteTrack', (change) => this.onRemoteTrack(change));
    controller.on('audioPlayback', (canPlay) => this.ui?.setAudioBlocked(!canPlay));
    controller.on('error', (error) => this.onError(error));
    this.controller = controller;
    void controller.start();
  }

  private stopController(): void {
    this.controller?.dispose();
    this.controller = null;
    this.ui?.clearMedia();
    this.setTicking(false);
  }

  private currentTexts(): WaitingRoomTexts {
    const lang = this.getAttribute('lang') ?? this.closest('[lang]')?.getAttribute('lang') ?? document.documentElement.lang;
    return resolveTexts(lang, this.textOverrides, (name) => this.getAttribute(name));
  }

  private refresh(): void {
    const view: SessionView | null = this.controller?.state ?? null;
    this.ui?.render(view, this.currentTexts(), this.participantRole, this.controller?.media ?? null);
    this.setTicking(view?.phase === 'waiting' || (view?.phase === 'reconnecting' && view.resumePhase === 'waiting'));
    this.updateWaited();
  }

  private setTicking(on: boolean): void {
    if (on && this.ticker === null) this.ticker = setInterval(() => this.updateWaited(), 1000);
    if (!on && this.ticker !== null) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
  }

  private updateWaited(): void {
    const since = this.controller?.state.waitingSince;
    this.ui?.setWaited(formatWaited(since == null ? 0 : Date.now() - since));
  }

  private onNotice(notice: Notice): void {
    const texts = this.currentTexts();
    const fire = <K extends keyof LiveKitWaitingRoomEventMap>(type: K, detail: LiveKitWaitingRoomEventMap[K]['detail']) =>
      this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
    switch (notice.type) {
      case 'waiting':
        this.ui?.announce(this.participantRole === 'student' ? texts.waitingForCounselor : texts.waitingForStudent);
        fire('waiting', { waitingFor: this.participantRole === 'student' ? 'counselor' : 'student' });
        break;
      case 'started': {
        const message = notice.resumed ? texts.sessionResumed : texts.sessionStarted;
        this.ui?.showSystemMessage(message);
        this.ui?.announce(message);
        fire('session-started', { sessionId: notice.sessionId, startedAt: notice.startedAt, resumed: notice.resumed });
        break;
      }
      case 'ended':
        this.ui?.announce(this.ui.endedText(notice.reason, texts));
        this.ui?.focusEnded();
        fire('session-ended', { sessionId: notice.sessionId, reason: notice.reason });
        break;
      case 'failed':
        this.ui?.announce(texts.connectionFailed);
        break;
      case 'ignored':
        break;
    }
  }

  private onMedia(status: MediaStatus): void {
    this.ui?.setMediaNotice(status, this.currentTexts());
  }

  private onRemoteTrack(change: RemoteTrackChange): void {
    if (change.track.kind === Track.Kind.Video) this.ui?.setRemoteVideo(change.track, change.added);
    else if (change.track.kind === Track.Kind.Audio) this.ui?.setRemoteAudio(change.track, change.added);
  }

  private onError(error: WaitingRoomError): void {
    const fatal = error.code !== 'media-denied' && error.code !== 'media-unavailable';
    this.dispatchEvent(new CustomEvent('error', { detail: { code: error.code, message: error.message, fatal }, bubbles: true, composed: true }));
  }
}
