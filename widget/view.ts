// The element's rendering: shows and hides the waiting room, call and ended sections for a
// state-machine view, fills in texts, reflects the controls' state, attaches media tracks to
// <video>/<audio>, and speaks through the ARIA live region. It decides nothing: element.ts tells
// it what to show.

import type { LocalVideoTrack, RemoteTrack } from 'livekit-client';
import type { DeviceLists, MediaKind, MediaStatus } from './controller';
import type { ChatMessage } from './chat';
import { SELF, type CallLayout } from './callLayout';
import { continuityTextKey, type OtherParty } from './otherParty';
import type { EndReason, WidgetState } from './sessionState';
import { styles } from './styles';
import { formatElapsed, type WaitingRoomTexts } from './texts';

type Role = 'student' | 'counselor';

/** What the element knows beyond the state machine's view. */
export interface Extras {
  role: Role;
  media: MediaStatus | null;
  /** Screen sharing, for a page that publishes (null otherwise): offered to this user, and on now. */
  screen: { offered: boolean; sharing: boolean } | null;
  /** The in-call chat is on (the page's `chat` attribute). */
  chat: boolean;
  party: OtherParty | null;
  /** A hidden observer may watch, and the clinic says so (the join token's attribute). */
  observed: boolean;
  /** The waiting room's heading by role when the start waits for more than the pair's other side (waitingFor.ts); null: the two-party heading. */
  waitingHeading: string | null;
  /** Offer the End button: this is the counselor and the host can end sessions (element.ts decides). */
  canEnd: boolean;
  confirmingEnd: boolean;
  ending: boolean;
}

const DEVICE_KINDS = ['audioinput', 'videoinput', 'audiooutput'] as const;

/** One constructed sheet shared by every widget on the page, made on first use (never at import). */
let sheet: CSSStyleSheet | null = null;

/**
 * The styles as a constructed stylesheet: a Content-Security-Policy without 'unsafe-inline' in
 * style-src allows it. A browser without constructable stylesheets gets a <style> carrying the
 * page's nonce (the host's `nonce` attribute), which such a policy allows too.
 */
function adoptStyles(root: ShadowRoot, nonce: string): void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(styles);
    }
    root.adoptedStyleSheets = [sheet];
    return;
  }
  const style = document.createElement('style');
  if (nonce) style.nonce = nonce;
  style.textContent = styles;
  root.prepend(style);
}

export class WaitingRoomView {
  onRetry: () => void = () => undefined;
  onLeave: () => void = () => undefined;
  onEnableAudio: () => void = () => undefined;
  onToggle: (kind: MediaKind) => void = () => undefined;
  onDevicesOpened: () => void = () => undefined;
  onSelectDevice: (kind: MediaDeviceKind, deviceId: string) => void = () => undefined;
  onEnd: (step: 'ask' | 'confirm' | 'cancel') => void = () => undefined;
  onShareScreen: () => void = () => undefined;
  onSendChat: (text: string) => void = () => undefined;

  private readonly refs = new Map<string, HTMLElement>();
  private systemMessage = '';
  /** The browser blocked autoplay of remote audio; the button shows only in the call, where there is sound to play. */
  private audioBlocked = false;
  private inCall = false;
  private localVideo: LocalVideoTrack | null = null;
  /** Remote cameras by identity, each shown in the <video> whose data-identity names it. */
  private readonly cameras = new Map<string, RemoteTrack>();
  /** Tiles beyond the template's remote-video (a call of three or more), by identity. */
  private readonly copies = new Map<string, HTMLVideoElement>();
  private remoteScreen: RemoteTrack | null = null;
  private readonly remoteAudio = new Set<RemoteTrack>();
  /** Whether focus was inside the widget when the last render began (see focusEnded). */
  private focusWasInside = false;

  constructor(private readonly root: ShadowRoot, markup: string, nonce: string) {
    root.innerHTML = markup;
    adoptStyles(root, nonce);
    for (const node of root.querySelectorAll<HTMLElement>('[data-ref]')) this.refs.set(node.dataset.ref ?? '', node);
    const click = (ref: string, action: () => void) => this.ref(ref).addEventListener('click', action);
    click('retry', () => this.onRetry());
    click('leave', () => this.onLeave());
    click('enable-audio', () => this.onEnableAudio());
    click('microphone', () => this.onToggle('microphone'));
    click('camera', () => this.onToggle('camera'));
    click('end', () => this.onEnd('ask'));
    click('share', () => this.onShareScreen());
    this.ref('chat-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.onSendChat(this.ref<HTMLInputElement>('chat-input').value);
    });
    click('confirm-yes', () => this.onEnd('confirm'));
    click('confirm-no', () => this.onEnd('cancel'));
    this.ref('devices').addEventListener('toggle', () => (this.ref<HTMLDetailsElement>('devices').open ? this.onDevicesOpened() : undefined));
    for (const kind of DEVICE_KINDS) {
      const select = this.ref<HTMLSelectElement>(kind);
      select.addEventListener('change', () => this.onSelectDevice(kind, select.value));
    }
  }

  private ref<T extends HTMLElement = HTMLElement>(name: string): T {
    const node = this.refs.get(name);
    if (!node) throw new Error(`template has no data-ref="${name}"`);
    return node as T;
  }

  private text(ref: string, text: string): HTMLElement {
    const node = this.ref(ref);
    node.textContent = text;
    return node;
  }

  render(view: WidgetState | null, texts: WaitingRoomTexts, extras: Extras): void {
    // Read before hiding anything: Chromium drops focus from a button the moment it is hidden.
    this.focusWasInside = this.root.activeElement !== null;
    const { role } = extras;
    const phase = view?.phase ?? 'idle';
    const shownPhase = phase === 'reconnecting' ? (view?.resumePhase ?? 'waiting') : phase;
    const inCall = shownPhase === 'active';
    const waiting = shownPhase === 'waiting';
    const ended = phase === 'ended';
    this.ref('base').dataset.phase = phase;
    this.text('status', {
      idle: texts.statusConnecting,
      connecting: texts.statusConnecting,
      waiting: texts.statusWaiting,
      reconnecting: texts.statusReconnecting,
      active: texts.statusActive,
      ended: view?.endReason === 'left' ? texts.statusLeft : view?.endReason === 'replaced' ? texts.statusReplaced : texts.statusEnded,
      failed: texts.statusFailed,
    }[phase]);
    this.ref('waiting').hidden = inCall || ended;
    this.ref('call').hidden = !inCall;
    this.ref('ended').hidden = !ended;
    this.ref('timer-box').hidden = !inCall;
    this.text('timer-label', texts.sessionTime);
    this.text('heading', extras.waitingHeading ?? (role === 'student' ? texts.waitingForCounselor : texts.waitingForStudent));
    this.text('waited-label', texts.waitedLabel);
    this.text('ended-heading', ended && view?.endReason ? this.endedText(view.endReason, texts) : '');
    const systemMessage = this.text('system-message', this.systemMessage);
    systemMessage.hidden = !inCall || this.systemMessage === '';
    this.text('error', view?.failure?.code === 'not-configured' ? texts.notConfigured : texts.connectionFailed).hidden = phase !== 'failed';
    const canRejoin = ended && (view?.endReason === 'left' || view?.endReason === 'replaced');
    this.text('retry', canRejoin ? texts.rejoin : texts.retry).hidden = !(phase === 'failed' || canRejoin);
    this.text('observed', texts.observed).hidden = !extras.observed || !(waiting || inCall);
    this.text('leave', texts.leave).hidden = !(waiting || inCall) || ended;
    this.inCall = inCall;
    this.text('enable-audio', texts.enableAudio).hidden = !(this.audioBlocked && inCall);
    this.ref('preview').setAttribute('aria-label', texts.previewLabel);
    this.ref('self-video').setAttribute('aria-label', texts.selfViewLabel);
    this.ref('level').setAttribute('aria-label', texts.microphoneLevel);
    this.renderControls(texts, extras, (waiting || inCall) && !ended && phase !== 'failed');
    this.renderScreen(texts, extras, inCall);
    this.ref('chat').hidden = !inCall || !extras.chat;
    this.text('chat-heading', texts.chatHeading);
    this.text('chat-label', texts.chatMessageLabel);
    this.text('chat-send', texts.chatSend);
    this.renderEnd(texts, extras, inCall);
    this.renderParty(texts, extras, inCall);
    this.setMediaNotice(extras.media, texts);
    this.text('enters-muted', texts.entersMuted).hidden = extras.media?.microphone !== 'off';
    if (!inCall) this.ref('muted-hint').hidden = true;
    if (ended) this.clearMedia();
  }

  private renderControls(texts: WaitingRoomTexts, { media }: Extras, shown: boolean): void {
    this.ref('controls').hidden = !shown || media === null;
    for (const kind of ['microphone', 'camera'] as const) {
      const button = this.text(kind, texts[kind]) as HTMLButtonElement;
      const status = media?.[kind] ?? 'off';
      button.setAttribute('aria-pressed', String(status === 'on' || status === 'starting'));
      button.disabled = status === 'denied' || status === 'unavailable' || status === 'starting';
    }
    this.text('devices-summary', texts.devices);
    this.text('audioinput-label', texts.microphoneDevice);
    this.text('videoinput-label', texts.cameraDevice);
    this.text('audiooutput-label', texts.speakerDevice);
  }

  /** The Share screen toggle (in the call, when offered), the "you are sharing" line, the other's screen's name. */
  private renderScreen(texts: WaitingRoomTexts, { screen, role }: Extras, inCall: boolean): void {
    const share = this.text('share', texts.shareScreen);
    share.hidden = !inCall || !screen?.offered;
    share.setAttribute('aria-pressed', String(Boolean(screen?.sharing)));
    this.text('sharing', texts.youAreSharing).hidden = !inCall || !screen?.sharing;
    this.ref('remote-screen').setAttribute('aria-label', role === 'student' ? texts.remoteScreenLabelCounselor : texts.remoteScreenLabelStudent);
  }

  private renderEnd(texts: WaitingRoomTexts, { canEnd, confirmingEnd, ending }: Extras, inCall: boolean): void {
    const offered = inCall && canEnd;
    const end = this.text('end', texts.endForEveryone) as HTMLButtonElement;
    end.hidden = !offered || confirmingEnd;
    end.disabled = ending;
    this.ref('confirm').hidden = !offered || !confirmingEnd;
    this.text('confirm-text', texts.confirmEnd);
    (this.text('confirm-yes', texts.confirmEndYes) as HTMLButtonElement).disabled = ending;
    this.text('confirm-no', texts.confirmEndNo);
  }

  private renderParty(texts: WaitingRoomTexts, { party, role }: Extras, inCall: boolean): void {
    const away = inCall && party !== null && party.awaySince !== null;
    this.ref('continuity').hidden = !away;
    if (away) this.text('continuity-text', texts[continuityTextKey(party, role)]);
    const status = [party?.microphone === false && party.present ? texts.remoteMuted : '', party?.camera === false && party.present ? texts.remoteCameraOff : '']
      .filter(Boolean)
      .join(' · ');
    this.text('remote-status', status).hidden = !inCall || away || status === '';
  }

  endedText(reason: EndReason, texts: WaitingRoomTexts): string {
    const byReason: Record<EndReason, string> = {
      'ended-by-clinic': texts.sessionEnded,
      'timed-out': texts.sessionTimedOut,
      cancelled: texts.sessionCancelled,
      'no-show': texts.sessionNoShow,
      'room-deleted': texts.sessionEndedRoomClosed,
      left: texts.youLeft,
      replaced: texts.replacedElsewhere,
    };
    return byReason[reason];
  }

  /** The clocks: time waited, the session timer and how long the other party has been away. */
  setClocks(waited: string, sessionMs: number | null, awayMs: number | null): void {
    this.text('waited', waited);
    if (sessionMs !== null) this.text('timer', formatElapsed(sessionMs));
    if (awayMs !== null) this.text('continuity-time', formatElapsed(awayMs));
  }

  setLevel(level: number): void {
    (this.ref('level') as HTMLMeterElement).value = level;
  }

  setMutedHint(text: string | null): void {
    this.text('muted-hint', text ?? '').hidden = text === null;
  }

  setDevices(lists: DeviceLists, selected: Partial<Record<MediaDeviceKind, string>>, canPickOutput: boolean): void {
    for (const kind of DEVICE_KINDS) {
      const select = this.ref<HTMLSelectElement>(kind);
      select.replaceChildren(...lists[kind].map((device, index) => new Option(device.label || `${kind} ${index + 1}`, device.deviceId)));
      const chosen = selected[kind];
      if (chosen && lists[kind].some((device) => device.deviceId === chosen)) select.value = chosen;
    }
    this.ref('audiooutput-row').hidden = !canPickOutput || lists.audiooutput.length === 0;
  }

  showSystemMessage(text: string): void {
    this.systemMessage = text;
    this.text('system-message', text).hidden = false;
  }

  /** Clears first so a repeated sentence is announced again by screen readers. */
  announce(text: string): void {
    const live = this.ref('live');
    live.textContent = '';
    setTimeout(() => {
      live.textContent = text;
    }, 100);
  }

  /**
   * Moves focus to the ended heading only when focus was inside the widget (never steals it),
   * so a keyboard user who pressed Leave is not dropped at the top of the page.
   */
  focusEnded(): void {
    if (this.focusWasInside || this.root.activeElement) this.ref('ended-heading').focus();
  }

  /** The devices' trouble, and the preview and self view while the camera is on; null: this page sends no media (no preview, no level). */
  private setMediaNotice(status: MediaStatus | null, texts: WaitingRoomTexts): void {
    const lines: string[] = [];
    if (status?.camera === 'denied') lines.push(texts.cameraDenied);
    if (status?.camera === 'unavailable') lines.push(texts.cameraUnavailable);
    if (status?.microphone === 'denied') lines.push(texts.microphoneDenied);
    if (status?.microphone === 'unavailable') lines.push(texts.microphoneUnavailable);
    this.text('media-notice', lines.join(' ')).hidden = lines.length === 0;
    // An empty black box reads as "broken": with the camera off there is nothing to preview.
    const noCamera = status?.camera !== 'on';
    this.ref('preview').hidden = noCamera;
    this.ref('self-video').hidden = noCamera;
    this.ref('level').hidden = !status;
  }

  setAudioBlocked(blocked: boolean): void {
    this.audioBlocked = blocked;
    this.ref('enable-audio').hidden = !(blocked && this.inCall);
  }

  showLocalVideo(track: LocalVideoTrack | null): void {
    if (track === this.localVideo) return;
    this.localVideo?.detach();
    this.localVideo = track;
    track?.attach(this.ref<HTMLVideoElement>('preview'));
    track?.attach(this.ref<HTMLVideoElement>('self-video'));
  }

  /** A remote camera came or went: into its person's tile, or the template's one while nobody holds it. */
  setRemoteVideo(track: RemoteTrack, identity: string, added: boolean): void {
    const before = this.cameras.get(identity);
    if (!added && track !== before) return;
    const first = this.ref<HTMLVideoElement>('remote-video');
    const video = [first, ...this.copies.values()].find((tile) => tile.dataset.identity === identity) ?? (first.dataset.identity ? null : first);
    if (added) this.cameras.set(identity, track);
    else this.cameras.delete(identity);
    if (video) this.showIn(video, added ? identity : undefined);
  }

  /** Shows `identity`'s camera (if any) in `video`, after whatever it showed. */
  private showIn(video: HTMLVideoElement, identity: string | undefined): void {
    const shown = this.cameras.get(video.dataset.identity ?? '');
    if (shown && video.dataset.identity !== identity) shown.detach(video);
    if (identity === undefined) delete video.dataset.identity;
    else video.dataset.identity = identity;
    const track = identity === undefined ? undefined : this.cameras.get(identity);
    if (track && !track.attachedElements.includes(video)) track.attach(video);
  }

  /**
   * Lays the call out as callLayout.ts says: the template's remote-video for the first person
   * to join, a copy of it for each other one; in a grid or on a phone each tile gets its place and
   * order (the pair's layout has none). `label` names a remote tile by identity.
   */
  layoutCall(layout: CallLayout, people: readonly string[], label: (identity: string | undefined) => string): void {
    const stage = this.ref('stage');
    const first = this.ref<HTMLVideoElement>('remote-video');
    const [firstPerson, ...others] = people;
    this.showIn(first, firstPerson ?? first.dataset.identity);
    for (const [identity, copy] of this.copies) {
      if (others.includes(identity)) continue;
      this.showIn(copy, undefined);
      copy.remove();
      this.copies.delete(identity);
    }
    let last = first;
    for (const identity of others) {
      let copy = this.copies.get(identity);
      if (!copy) {
        copy = first.cloneNode() as HTMLVideoElement;
        delete copy.dataset.identity;
        this.copies.set(identity, copy);
        this.showIn(copy, identity);
      }
      // Join order in the DOM (the reading order); the CSS order places them.
      last.after(copy);
      last = copy;
    }
    const tiles = new Map(layout.tiles.map((tile, order) => [tile.key, { ...tile, order }]));
    const grid = layout.mode !== 'pair';
    if (grid) stage.dataset.layout = layout.mode;
    else delete stage.dataset.layout;
    stage.style.setProperty('--_cols', String(layout.columns));
    for (const video of [first, ...this.copies.values(), this.ref('self-video')]) {
      const key = video.dataset.ref === 'self-video' ? SELF : video.dataset.identity;
      if (key !== SELF) video.setAttribute('aria-label', label(key));
      const tile = grid ? tiles.get(key ?? '-') : undefined;
      if (tile) video.dataset.place = tile.place;
      else delete video.dataset.place;
      video.style.order = tile ? String(tile.order) : '';
      video.toggleAttribute('data-speaking', Boolean(tile?.speaking));
    }
  }

  /**
   * The other party's shared screen takes the stage and their camera goes small; returns true
   * when a screen starts showing (for the announcement).
   */
  setRemoteScreen(track: RemoteTrack, added: boolean): boolean {
    const video = this.ref<HTMLVideoElement>('remote-screen');
    const stage = this.ref('stage');
    if (added) {
      this.remoteScreen?.detach(video);
      this.remoteScreen = track;
      // Shown before attaching: LiveKit's adaptive stream pauses a track whose element it finds hidden.
      video.hidden = false;
      stage.toggleAttribute('data-sharing', true);
      track.attach(video);
    } else if (track === this.remoteScreen) {
      track.detach();
      this.remoteScreen = null;
      video.hidden = true;
      stage.toggleAttribute('data-sharing', false);
    } else return false;
    return added;
  }

  /** The chat's messages, each with who wrote it; text through textContent only. */
  setChat(log: readonly ChatMessage[], texts: WaitingRoomTexts, role: Role): void {
    const other = role === 'student' ? texts.chatCounselor : texts.chatStudent;
    const lines = log.map((message) => {
      const line = document.createElement('p');
      const from = document.createElement('b');
      from.textContent = message.from === 'me' ? texts.chatYou : other;
      line.append(from, message.text);
      line.dataset.from = message.from;
      return line;
    });
    const view = this.ref('chat-log');
    view.replaceChildren(...lines);
    view.scrollTop = view.scrollHeight;
  }

  clearChatInput(): void {
    this.ref<HTMLInputElement>('chat-input').value = '';
  }

  setRemoteAudio(track: RemoteTrack, added: boolean): void {
    if (added) {
      this.remoteAudio.add(track);
      this.ref('audio-sink').append(track.attach());
    } else {
      this.remoteAudio.delete(track);
      for (const element of track.detach()) element.remove();
    }
  }

  clearMedia(): void {
    this.showLocalVideo(null);
    for (const track of this.cameras.values()) track.detach();
    this.cameras.clear();
    for (const copy of this.copies.values()) copy.remove();
    this.copies.clear();
    delete this.ref('remote-video').dataset.identity;
    this.remoteScreen?.detach();
    this.remoteScreen = null;
    this.ref('remote-screen').hidden = true;
    this.ref('stage').removeAttribute('data-sharing');
    for (const track of this.remoteAudio) for (const element of track.detach()) element.remove();
    this.remoteAudio.clear();
    this.systemMessage = '';
  }
}
