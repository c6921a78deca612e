/**
 * `<livekit-waiting-room>`: the drop-in waiting room and call for a counseling session.
 * Until both student and counselor are connected it shows a waiting room; when the service
 * starts the session (room-metadata snapshot, confirmed `session_started` data message) it
 * turns into the call. A thin view over {@link WaitingRoomController}.
 *
 * The public API is documented in api.ts (the build writes it out as
 * dist/widget/custom-elements.json); the element's `observedAttributes` and event options come
 * from contract.ts, which a test keeps in step with it. In short:
 *
 * Attributes: `token-url` (with `token-method`, GET by default) | `token` + `server-url` (credentials), `participant-role`
 * (`student` default | `counselor`; property `participantRole`; not `role`, which is the ARIA
 * role), `lang` (`en` | `es`), `end-url` (counselor: where "End session for everyone" POSTs), `end-button`,
 * `chat` (`off` turns the in-call text chat off), `screen-share` (`counselor` default | `everyone` | `none`: who may share a screen in the call;
 * both only narrow what the clinic's settings in the join token allow),
 * `text-*` (any text, kebab-case of its key in texts.ts).
 *
 * Properties: `room`, `tokenSource`, `tokenRequest`, `texts`, `participantRole`, `phase` and `otherSessionIgnored` (read-only);
 * methods `leave()`, `retry()`, `setMicrophoneEnabled(on)`, `setCameraEnabled(on)`, `setScreenShareEnabled(on)`.
 *
 * The waiting room is a pre-call check (camera preview, microphone level, device pickers,
 * microphone and camera toggles: the call starts as they are left); nothing is published or
 * received before the start. An observer's own page (ownRole.ts) has none of it, asks for no
 * device, and has no chat. The call has the same controls, the other party's muted state,
 * a session timer, a notice while the other party is not connected, and screen sharing (the
 * other party's screen large on the stage, the person small).
 *
 * Events (CustomEvent), each as `lwr-<name>` and, for one more release, as `<name>` (a listener
 * for the old name gets a console warning): `lwr-waiting`, `lwr-session-started`,
 * `lwr-session-ended`, `lwr-end-requested` (cancelable) bubble and are composed.
 * `lwr-error` (detail `{ code, message, fatal }`) is dispatched on the element only, without
 * bubbling: a bubbling `error` would reach window-level `error` listeners (error trackers) as if
 * the page had thrown. Listen for it on the element.
 *
 * Slots, CSS parts and `--lwr-*` custom properties: see api.ts.
 *
 * Embedding: importing this module touches no DOM global (server rendering; define on the client
 * only); styles are a constructed stylesheet (`adoptedStyleSheets`), so a strict `style-src`
 * allows them, or, in a browser without them, a `<style>` with the host's `nonce`; properties set
 * before the definition loads are kept; with nothing to connect with it shows so and emits a fatal
 * `not-configured` error.
 *
 * Accessibility: the host is a `region` landmark named by the `regionLabel` text (through
 * ElementInternals, so a page's own `role`/`aria-label` on the host still wins); announcements go
 * through a polite live region; all controls are native buttons.
 */

import { Track, type Room } from 'livekit-client';
import { ATTRIBUTES, CREDENTIAL_ATTRIBUTES, EVENT_OPTIONS, EVENT_PREFIX, TAG_NAME } from './contract';
import { chatEnabled } from './chat';
import { clockReadings, clocksRun, Ticker } from './clocks';
import { callLayout, videoLabelKey } from './callLayout';
import { WaitingRoomController, type MediaKind, type OtherParty, type Person, type RemoteTrackChange } from './controller';
import { endForEveryone, endTarget, httpSessionEnder, type SessionEnder } from './ending';
import { isFatal, WaitingRoomError } from './errors';
import type { LiveKitWaitingRoomEventMap, WaitingRoomEvents } from './events';
import { MutedHint } from './mutedHint';
import { mayShareScreen, screenSharePolicy } from './screenShare';
import { backTextKey, continuityChange, continuityTextKey } from './otherParty';
import { ownControls, type OwnControls } from './ownRole';
import { initialView, type Notice, type Phase, type WidgetState } from './sessionState';
import { template } from './template';
import { fixedTokenSource, urlTokenSource, type TokenRequestHook, type TokenSource } from './tokenSource';
import { resolveTexts, type WaitingRoomTexts } from './texts';
import { WaitingRoomView } from './view';
import { waitingHeading } from './waitingFor';

type ParticipantRole = 'student' | 'counselor';

/** Old event names a listener was warned about (once per page and name). */
const warnedOldNames = new Set<string>();

const NOT_CONFIGURED = 'Set token-url, token and server-url, tokenSource, or room.';

/**
 * On a server there is no HTMLElement: the class then extends an empty one, so importing this
 * module (server-side rendering, tests in node) never touches a DOM global. Only the browser defines it.
 */
const ElementBase = (globalThis.HTMLElement ?? class {}) as typeof HTMLElement;

/** Properties a page may set before the element is defined (upgraded): kept, not lost (see constructor). */
const UPGRADED_PROPERTIES = ['room', 'tokenSource', 'tokenRequest', 'texts', 'participantRole'] as const;

export class LiveKitWaitingRoomElement extends ElementBase {
  static readonly observedAttributes: readonly string[] = ATTRIBUTES;

  private internals: ElementInternals | null = null;

  private controller: WaitingRoomController | null = null;
  private ui: WaitingRoomView | null = null;
  private borrowedRoom: Room | undefined;
  private customTokenSource: TokenSource | undefined;
  private tokenRequestHook: TokenRequestHook | undefined;
  private textOverrides: Partial<WaitingRoomTexts> | undefined;
  private readonly ticker = new Ticker(() => this.updateClocks(), () => this.updateLevel());
  private readonly mutedHint = new MutedHint();
  /** Sends "End session for everyone" (ending.ts); the element itself never fetches. */
  private readonly endSession: SessionEnder = httpSessionEnder();
  private party: OtherParty | null = null;
  /** The roles the start still waits for, as the controller last saw the room. */
  private awaited: readonly string[] = [];
  /** The call's people and speakers, and who the phone layout features (callLayout.ts). */
  private people: readonly Person[] = [];
  private speakers: readonly string[] = [];
  private featured: string | null = null;
  private resized: ResizeObserver | null = null;
  /** The join token discloses a hidden observer (the notice shows). */
  private observed = false;
  private confirmingEnd = false;
  private ending = false;
  /** Ignored by controllers this element already stopped (see otherSessionIgnored). */
  private ignoredBefore = 0;
  /** The failed view shown while the page gave nothing to connect with. */
  private unconfigured: WidgetState | null = null;

  constructor() {
    super();
    // A value set on the element before its definition loaded sits on the instance and hides the
    // accessor: take it off and set it again through the accessor.
    for (const name of UPGRADED_PROPERTIES) {
      if (!Object.prototype.hasOwnProperty.call(this, name)) continue;
      const value: unknown = Reflect.get(this, name);
      Reflect.deleteProperty(this, name);
      Reflect.set(this, name, value);
    }
  }

  get room(): Room | undefined {
    return this.borrowedRoom;
  }
  set room(room: Room | undefined) {
    if (room === this.borrowedRoom) return;
    this.borrowedRoom = room;
    this.restart();
  }

  get tokenSource(): TokenSource | undefined {
    return this.customTokenSource;
  }
  /**
   * Read at connect time only: setting it never restarts a call (a framework that passes a new
   * inline function on every render changes nothing until the next connect). It starts one only
   * when nothing runs yet (the element waited for credentials).
   */
  set tokenSource(source: TokenSource | undefined) {
    this.customTokenSource = source;
    if (!this.controller) this.restart();
  }

  /**
   * Changes the request to `token-url` before it goes (a CSRF or Authorization header, a body);
   * read at every connect, so setting it restarts nothing.
   */
  get tokenRequest(): TokenRequestHook | undefined {
    return this.tokenRequestHook;
  }
  set tokenRequest(hook: TokenRequestHook | undefined) {
    this.tokenRequestHook = hook;
  }

  get texts(): Partial<WaitingRoomTexts> | undefined {
    return this.textOverrides;
  }
  set texts(texts: Partial<WaitingRoomTexts> | undefined) {
    this.textOverrides = texts;
    this.refresh();
  }

  get phase(): Phase {
    return (this.controller?.state ?? this.unconfigured)?.phase ?? 'idle';
  }

  /**
   * How many room snapshots and data messages of another session this element ignored since it
   * was created (its join token names its own session). Nothing of them is shown or logged.
   */
  get otherSessionIgnored(): number {
    return this.ignoredBefore + (this.controller?.otherSessionIgnored ?? 0);
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
      console.warn(`<${TAG_NAME}>: role="${legacyRole}" is an invalid ARIA role and is ignored; use participant-role="${legacyRole}".`);
    }
    if (!this.ui) this.ui = new WaitingRoomView(this.shadowRoot ?? this.attachShadow({ mode: 'open' }), template, this.nonce || this.getAttribute('nonce') || '');
    this.ui.onRetry = () => this.retry();
    this.ui.onLeave = () => void this.leave();
    this.ui.onEnableAudio = () => void this.controller?.startAudio();
    this.ui.onToggle = (kind) => void this.toggle(kind);
    this.ui.onDevicesOpened = () => void this.showDevices();
    this.ui.onSelectDevice = (kind, deviceId) => void this.controller?.selectDevice(kind, deviceId).catch((cause: unknown) => this.onError(new WaitingRoomError('media-unavailable', `Could not switch to that device.`, { cause })));
    this.ui.onEnd = (step) => void this.onEndStep(step);
    this.ui.onShareScreen = () => void this.setScreenShareEnabled(!this.controller?.screenSharing);
    this.ui.onSendChat = (text) => void this.sendChat(text);
    // The width decides between the grid and the phone's speaker view.
    this.resized ??= typeof ResizeObserver === 'function' ? new ResizeObserver(() => this.layout()) : null;
    this.resized?.observe(this);
    // Properties are often set right after the element is inserted: start once they had a chance.
    queueMicrotask(() => {
      if (this.isConnected && !this.controller) this.restart();
    });
    this.refresh();
  }

  disconnectedCallback(): void {
    this.resized?.disconnect();
    this.stopController();
  }

  attributeChangedCallback(name: string, previous: string | null, next: string | null): void {
    if (previous === next) return;
    if (CREDENTIAL_ATTRIBUTES.includes(name)) this.restart();
    else this.refresh();
  }

  /** Leaves the call; the element shows its ended state with a Rejoin button. */
  async leave(): Promise<void> {
    await this.controller?.leave();
  }

  /** Turns the microphone on or off (in the waiting room: whether the call starts muted). */
  async setMicrophoneEnabled(on: boolean): Promise<void> {
    await this.controller?.setEnabled('microphone', on);
  }

  /** Turns the camera on or off (in the waiting room: whether the call starts with video). */
  async setCameraEnabled(on: boolean): Promise<void> {
    await this.controller?.setEnabled('camera', on);
  }

  /** Shares a screen or window (the browser asks which), or stops: in the call only, for whom `screen-share` allows. */
  async setScreenShareEnabled(on: boolean): Promise<void> {
    if (on && !this.offersScreenShare) return;
    await this.controller?.setScreenShareEnabled(on);
  }

  /** Who may share: the clinic's policy from the token, narrowed by `screen-share` (`counselor`, the default; `everyone`; `none`), where the browser can; never an observer. */
  private get offersScreenShare(): boolean {
    return this.own.media && mayShareScreen(screenSharePolicy(this.getAttribute('screen-share'), this.controller?.clinicSettings.screenShare ?? null), this.participantRole) && typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getDisplayMedia === 'function';
  }

  /** What this page takes part with, by its own role (ownRole.ts: an observer only watches). */
  private get own(): OwnControls {
    return ownControls(this.controller?.ownRole);
  }

  /** The in-call chat: on unless the page's `chat` attribute or the clinic turns it off, and never for an observer. */
  private get chatOn(): boolean {
    return this.own.chat && chatEnabled(this.getAttribute('chat'), this.controller?.clinicSettings.chat ?? null);
  }

  /** Sends a chat message in the call (when `chat` is not off); the input clears once LiveKit took it. */
  private async sendChat(text: string): Promise<void> {
    if (!this.chatOn) return;
    try {
      if (await this.controller?.sendChat(text)) this.ui?.clearChatInput();
    } catch {
      // LiveKit refused the message (no permission, connection down): the input keeps the text to send again.
      this.ui?.announce(this.currentTexts().chatNotSent);
    }
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
    if (Object.hasOwn(EVENT_OPTIONS, type) && !warnedOldNames.has(type)) {
      warnedOldNames.add(type);
      console.warn(`<${TAG_NAME}>: the "${type}" event is now "${EVENT_PREFIX}${type}"; the old name goes away in the next release.`);
    }
    super.addEventListener(type, listener, options);
  }

  /**
   * The counselor is offered "End session for everyone" when it is asked for explicitly: the
   * `end-button` attribute (the host ends sessions itself on `end-requested`), an `end-url`, or
   * the token answer's `endUrl`. Listening for the event no longer shows it.
   */
  private get offersEnd(): boolean {
    return this.participantRole === 'counselor' && (this.hasAttribute('end-button') || Boolean(this.getAttribute('end-url') || this.controller?.credentials?.endUrl));
  }

  /** Reflects the `end-button` attribute. */
  get endButton(): boolean {
    return this.hasAttribute('end-button');
  }
  set endButton(on: boolean) {
    this.toggleAttribute('end-button', on);
  }

  private tokenSourceFromAttributes(): TokenSource | undefined {
    if (this.customTokenSource) return this.customTokenSource;
    const tokenUrl = this.getAttribute('token-url');
    const serverUrl = this.getAttribute('server-url');
    if (tokenUrl) return urlTokenSource(new URL(tokenUrl, document.baseURI).href, serverUrl, { method: this.getAttribute('token-method'), prepare: this.tokenRequestHook });
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
    if (!this.borrowedRoom && !tokenSource) {
      this.notConfigured();
      return;
    }
    // The source is looked up again on every (re)connect: the latest tokenSource or attributes win.
    const currentSource: TokenSource = () => (this.tokenSourceFromAttributes() ?? tokenSource ?? (() => Promise.reject(new WaitingRoomError('not-configured', NOT_CONFIGURED))))();
    const controller = new WaitingRoomController({ room: this.borrowedRoom, tokenSource: currentSource });
    controller.on('state', () => this.refresh());
    controller.on('notice', (notice) => this.onNotice(notice));
    controller.on('media', () => this.refresh());
    controller.on('otherParty', (party) => this.onParty(party));
    controller.on('awaited', (missing) => {
      this.awaited = missing;
      this.refresh();
    });
    controller.on('people', (people) => {
      this.people = people;
      this.layout();
    });
    controller.on('speakers', (speakers) => {
      this.speakers = speakers;
      this.layout();
    });
    controller.on('observed', (observed) => {
      this.observed = observed;
      this.refresh();
    });
    controller.on('localVideo', (track) => this.ui?.showLocalVideo(track));
    controller.on('remoteTrack', (change) => this.onRemoteTrack(change));
    controller.on('audioPlayback', (canPlay) => this.ui?.setAudioBlocked(!canPlay));
    controller.on('screenShare', () => this.refresh());
    controller.on('chat', (log) => this.ui?.setChat(this.chatOn ? log : [], this.currentTexts(), this.participantRole));
    controller.on('error', (error) => this.onError(error));
    this.controller = controller;
    void controller.start();
  }

  /** Nothing to connect with: said on screen and as a fatal `not-configured` error; any credential set later starts. */
  private notConfigured(): void {
    const error = new WaitingRoomError('not-configured', NOT_CONFIGURED);
    this.unconfigured = { ...initialView, phase: 'failed', failure: { code: error.code, message: error.message } };
    this.refresh();
    this.onError(error);
  }

  private stopController(): void {
    this.unconfigured = null;
    this.ignoredBefore += this.controller?.otherSessionIgnored ?? 0;
    this.controller?.dispose();
    this.controller = null;
    this.ui?.clearMedia();
    this.party = null;
    this.people = [];
    this.speakers = [];
    this.observed = false;
    this.confirmingEnd = false;
    this.ending = false;
    this.ticker.set(false);
  }

  private currentTexts(): WaitingRoomTexts {
    const lang = this.getAttribute('lang') ?? this.closest('[lang]')?.getAttribute('lang') ?? document.documentElement.lang;
    return resolveTexts(lang, this.textOverrides, (name) => this.getAttribute(name));
  }

  private refresh(): void {
    const view: WidgetState | null = this.controller?.state ?? this.unconfigured;
    const texts = this.currentTexts();
    if (this.internals) this.internals.ariaLabel = texts.regionLabel;
    const canEnd = this.offersEnd;
    const media = this.controller && !this.borrowedRoom && this.own.media ? this.controller.media : null;
    const screen = media ? { offered: this.offersScreenShare, sharing: this.controller?.screenSharing ?? false } : null;
    this.ui?.render(view, texts, { role: this.participantRole, media, screen, chat: this.chatOn, party: this.party, observed: this.observed, waitingHeading: waitingHeading(this.awaited, texts), canEnd, confirmingEnd: this.confirmingEnd, ending: this.ending });
    this.ticker.set(clocksRun(view));
    this.updateClocks();
    this.layout();
  }

  /** Places each person's video (callLayout.ts) for the people, speakers and width now. */
  private layout(): void {
    const layout = callLayout(this.people.map((person) => person.identity), this.speakers, this.clientWidth, this.featured);
    this.featured = layout.featured;
    const texts = this.currentTexts();
    const role = (identity: string | undefined) => this.people.find((person) => person.identity === identity)?.role;
    this.ui?.layoutCall(layout, this.people.map((person) => person.identity), (identity) => texts[videoLabelKey(role(identity), this.participantRole)]);
  }

  private updateClocks(): void {
    const { waited, sessionMs, awayMs } = clockReadings(this.controller?.state, this.party?.awaySince ?? null, Date.now());
    this.ui?.setClocks(waited, sessionMs, awayMs);
  }

  /** The waiting room's level meter; in the call, the hint for someone talking while muted. */
  private updateLevel(): void {
    const controller = this.controller;
    if (!controller || !this.ui) return;
    const level = controller.microphoneLevel() ?? 0;
    this.ui.setLevel(controller.media.microphone === 'on' ? level : 0);
    const hint = this.mutedHint.update(controller.state.phase === 'active' && controller.media.microphone === 'off', level, Date.now());
    const text = hint.shown ? this.currentTexts().youAreMuted : null;
    this.ui.setMutedHint(text);
    if (text !== null && hint.announce) this.ui.announce(text);
  }

  private async toggle(kind: MediaKind): Promise<void> {
    const status = this.controller?.media[kind];
    await this.controller?.setEnabled(kind, status !== 'on');
  }

  private async showDevices(): Promise<void> {
    const found = await this.controller?.devices();
    if (found) this.ui?.setDevices(found.lists, found.selected, 'setSinkId' in HTMLMediaElement.prototype);
  }

  /** The continuity notice shows while the call is on and the other party is away; its changes are announced. */
  private onParty(party: OtherParty): void {
    const before = this.party;
    const change = continuityChange(before, party, this.controller?.state.phase === 'active');
    this.party = party;
    // Back is said of whoever was away (the party shown next may be another one).
    if (this.ui && change) this.ui.announce(this.currentTexts()[change === 'away' ? continuityTextKey(party, this.participantRole) : backTextKey(before ?? party, this.participantRole)]);
    this.refresh();
  }

  /** "End session for everyone": ask, then tell the host page (end-requested) and/or POST to end-url. */
  private async onEndStep(step: 'ask' | 'confirm' | 'cancel'): Promise<void> {
    this.confirmingEnd = step === 'ask';
    if (step !== 'confirm') {
      this.refresh();
      return;
    }
    const credentials = this.controller?.credentials ?? null;
    const endUrl = this.getAttribute('end-url');
    this.ending = true;
    this.refresh();
    // The host's own end call, handed over with waitUntil(promise): a failure resets the button.
    const hostCalls: Promise<unknown>[] = [];
    const proceed = this.fire('end-requested', { sessionId: this.controller?.state.sessionId ?? null, waitUntil: (promise) => void hostCalls.push(Promise.resolve(promise)) });
    try {
      await endForEveryone({ hostCalls, proceed, target: () => endTarget(credentials, endUrl, document.baseURI) }, this.endSession);
    } catch (cause) {
      this.onError(cause as WaitingRoomError);
      const { endFailed } = this.currentTexts();
      this.ui?.announce(endFailed);
      this.ui?.showSystemMessage(endFailed);
      this.ending = false;
    }
    this.refresh();
  }

  /**
   * Every DOM event goes out here, bubbling (and composed) or not as contract.ts says. Returns
   * false when a listener called preventDefault() on a cancelable event.
   */
  private fire<K extends keyof WaitingRoomEvents>(type: K, detail: WaitingRoomEvents[K]['detail']): boolean {
    const { bubbles, cancelable } = EVENT_OPTIONS[type];
    let proceed = true;
    // The prefixed name, then the old one for pages not moved yet; either listener may cancel.
    for (const name of [`${EVENT_PREFIX}${type}`, type]) proceed = this.dispatchEvent(new CustomEvent(name, { detail, bubbles, composed: bubbles, cancelable })) && proceed;
    return proceed;
  }

  private onNotice(notice: Notice): void {
    const texts = this.currentTexts();
    switch (notice.type) {
      case 'waiting':
        this.ui?.announce(this.participantRole === 'student' ? texts.waitingForCounselor : texts.waitingForStudent);
        this.fire('waiting', { waitingFor: this.participantRole === 'student' ? 'counselor' : 'student' });
        break;
      case 'started': {
        const message = texts[notice.resumed ? this.own.resumed : this.own.started];
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

  private onRemoteTrack(change: RemoteTrackChange): void {
    if (change.source === Track.Source.ScreenShare) {
      const shown = this.ui?.setRemoteScreen(change.track, change.added);
      const texts = this.currentTexts();
      if (shown) this.ui?.announce(this.participantRole === 'student' ? texts.counselorSharing : texts.studentSharing);
    } else if (change.track.kind === Track.Kind.Video) this.ui?.setRemoteVideo(change.track, change.participantIdentity, change.added);
    else if (change.track.kind === Track.Kind.Audio) this.ui?.setRemoteAudio(change.track, change.added);
  }

  private onError(error: WaitingRoomError): void {
    this.fire('error', { code: error.code, message: error.message, fatal: isFatal(error.code) });
  }
}
