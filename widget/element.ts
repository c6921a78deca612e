/**
 * `<livekit-waiting-room>`: the drop-in waiting room and call for a counseling session.
 * Until both student and counselor are connected it shows a waiting room; when the service
 * starts the session (room-metadata snapshot, confirmed `session_started` data message) it
 * turns into the call. A thin view over {@link WaitingRoomController}.
 *
 * The public API is described once, in {@link widgetApi} (api.ts): the element's
 * `observedAttributes` and event options come from it, and the build writes it out as
 * dist/widget/custom-elements.json. In short:
 *
 * Attributes: `token-url` | `token` + `server-url` (credentials), `participant-role`
 * (`student` default | `counselor`; property `participantRole`; not `role`, which is the ARIA
 * role), `lang` (`en` | `es`), `text-*` (any text, kebab-case of its key in texts.ts).
 *
 * Properties: `room`, `tokenSource`, `texts`, `participantRole`, `phase` (read-only);
 * methods `leave()`, `retry()`.
 *
 * Events (CustomEvent): `waiting`, `session-started`, `session-ended` bubble and are composed.
 * `error` (detail `{ code, message, fatal }`) is dispatched on the element only, without
 * bubbling: a bubbling `error` would reach window-level `error` listeners (error trackers) as if
 * the page had thrown. Listen for it on the element.
 *
 * Slots, CSS parts and `--lwr-*` custom properties: see widgetApi.
 *
 * Accessibility: the host is a `region` landmark named by the `regionLabel` text (through
 * ElementInternals, so a page's own `role`/`aria-label` on the host still wins); announcements go
 * through a polite live region; all controls are native buttons.
 */

import { Track, type Room } from 'livekit-client';
import { widgetApi } from './api';
import { WaitingRoomController, type MediaStatus, type RemoteTrackChange } from './controller';
import type { WaitingRoomError } from './errors';
import type { LiveKitWaitingRoomEventMap } from './events';
import type { Notice, Phase, WidgetState } from './sessionState';
import { template } from './template';
import { fixedTokenSource, urlTokenSource, type TokenSource } from './tokenSource';
import { formatWaited, resolveTexts, type WaitingRoomTexts } from './texts';
import { WaitingRoomView } from './view';

const RECONNECTING_ATTRIBUTES: readonly string[] = widgetApi.attributes.filter((attribute) => attribute.reconnects).map((attribute) => attribute.name);

type ParticipantRole = 'student' | 'counselor';

export class LiveKitWaitingRoomElement extends HTMLElement {
  static readonly observedAttributes: readonly string[] = widgetApi.attributes.map((attribute) => attribute.name);

  private internals: ElementInternals | null = null;

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

  /** Reflects `participant-role`; named apart from HTMLElement.role, the ARIA role. */
  get participantRole(): ParticipantRole {
    return this.getAttribute('participant-role') === 'counselor' ? 'counselor' : 'student';
  }
  set participantRole(role: ParticipantRole) {
    this.setAttribute('participant-role', role);
  }

  connectedCallback(): void {
    if (!this.internals) {
      this.internals = this.attachInternals();
      this.internals.role = 'region';
    }
    const legacyRole = this.getAttribute('role');
    if (legacyRole === 'student' || legacyRole === 'counselor') {
      console.warn(`<${widgetApi.tagName}>: role="${legacyRole}" is an invalid ARIA role and is ignored; use participant-role="${legacyRole}".`);
    }
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
    if (RECONNECTING_ATTRIBUTES.includes(name)) this.restart();
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
    const view: WidgetState | null = this.controller?.state ?? null;
    const texts = this.currentTexts();
    if (this.internals) this.internals.ariaLabel = texts.regionLabel;
    this.ui?.render(view, texts, this.participantRole, this.controller?.media ?? null);
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

  /** Every DOM event goes out here, bubbling (and composed) or not as widgetApi says. */
  private fire<K extends keyof LiveKitWaitingRoomEventMap>(type: K, detail: LiveKitWaitingRoomEventMap[K]['detail']): void {
    const { bubbles } = widgetApi.events[type];
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles, composed: bubbles }));
  }

  private onNotice(notice: Notice): void {
    const texts = this.currentTexts();
    switch (notice.type) {
      case 'waiting':
        this.ui?.announce(this.participantRole === 'student' ? texts.waitingForCounselor : texts.waitingForStudent);
        this.fire('waiting', { waitingFor: this.participantRole === 'student' ? 'counselor' : 'student' });
        break;
      case 'started': {
        const message = notice.resumed ? texts.sessionResumed : texts.sessionStarted;
        this.ui?.showSystemMessage(message);
        this.ui?.announce(message);
        this.fire('session-started', { sessionId: notice.sessionId, startedAt: notice.startedAt, resumed: notice.resumed });
        break;
      }
      case 'ended':
        this.ui?.announce(this.ui.endedText(notice.reason, texts));
        this.ui?.focusEnded();
        this.fire('session-ended', { sessionId: notice.sessionId, reason: notice.reason });
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
    this.fire('error', { code: error.code, message: error.message, fatal });
  }
}
