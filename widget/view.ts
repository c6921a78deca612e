// The element's rendering: shows and hides the waiting room, call and ended sections for a
// state-machine view, fills in texts, attaches media tracks to <video>/<audio>, and speaks
// through the ARIA live region. It decides nothing: element.ts tells it what to show.

import type { LocalVideoTrack, RemoteTrack } from 'livekit-client';
import type { MediaStatus } from './controller';
import type { EndReason, WidgetState } from './sessionState';
import type { WaitingRoomTexts } from './texts';

type Role = 'student' | 'counselor';

export class WaitingRoomView {
  onRetry: () => void = () => undefined;
  onLeave: () => void = () => undefined;
  onEnableAudio: () => void = () => undefined;

  private readonly refs = new Map<string, HTMLElement>();
  private systemMessage = '';
  private localVideo: LocalVideoTrack | null = null;
  private remoteVideo: RemoteTrack | null = null;
  private readonly remoteAudio = new Set<RemoteTrack>();
  /** Whether focus was inside the widget when the last render began (see focusEnded). */
  private focusWasInside = false;

  constructor(private readonly root: ShadowRoot, markup: string) {
    root.innerHTML = markup;
    for (const node of root.querySelectorAll<HTMLElement>('[data-ref]')) this.refs.set(node.dataset.ref ?? '', node);
    this.ref('retry').addEventListener('click', () => this.onRetry());
    this.ref('leave').addEventListener('click', () => this.onLeave());
    this.ref('enable-audio').addEventListener('click', () => this.onEnableAudio());
  }

  private ref<T extends HTMLElement = HTMLElement>(name: string): T {
    const node = this.refs.get(name);
    if (!node) throw new Error(`template has no data-ref="${name}"`);
    return node as T;
  }

  render(view: WidgetState | null, texts: WaitingRoomTexts, role: Role, media: MediaStatus | null): void {
    // Read before hiding anything: Chromium drops focus from a button the moment it is hidden.
    this.focusWasInside = this.root.activeElement !== null;
    const phase = view?.phase ?? 'idle';
    const shownPhase = phase === 'reconnecting' ? (view?.resumePhase ?? 'waiting') : phase;
    const inCall = shownPhase === 'active';
    const ended = phase === 'ended';
    this.ref('base').dataset.phase = phase;
    this.ref('status').textContent = {
      idle: texts.statusConnecting,
      connecting: texts.statusConnecting,
      waiting: texts.statusWaiting,
      reconnecting: texts.statusReconnecting,
      active: texts.statusActive,
      ended: texts.statusEnded,
      failed: texts.statusFailed,
    }[phase];
    this.ref('waiting').hidden = inCall || ended;
    this.ref('call').hidden = !inCall;
    this.ref('ended').hidden = !ended;
    this.ref('heading').textContent = role === 'student' ? texts.waitingForCounselor : texts.waitingForStudent;
    this.ref('waited-label').textContent = texts.waitedLabel;
    this.ref('ended-heading').textContent = ended && view?.endReason ? this.endedText(view.endReason, texts) : '';
    const systemMessage = this.ref('system-message');
    systemMessage.textContent = this.systemMessage;
    systemMessage.hidden = !inCall || this.systemMessage === '';
    const error = this.ref('error');
    error.textContent = texts.connectionFailed;
    error.hidden = phase !== 'failed';
    const retry = this.ref('retry');
    const canRejoin = ended && (view?.endReason === 'left' || view?.endReason === 'replaced');
    retry.textContent = canRejoin ? texts.rejoin : texts.retry;
    retry.hidden = !(phase === 'failed' || canRejoin);
    const leave = this.ref('leave');
    leave.textContent = texts.leave;
    leave.hidden = !(phase === 'waiting' || phase === 'active' || phase === 'reconnecting');
    this.ref('enable-audio').textContent = texts.enableAudio;
    this.ref('preview').setAttribute('aria-label', texts.previewLabel);
    this.ref('self-video').setAttribute('aria-label', texts.selfViewLabel);
    this.ref('remote-video').setAttribute('aria-label', role === 'student' ? texts.remoteVideoLabelCounselor : texts.remoteVideoLabelStudent);
    if (media) this.setMediaNotice(media, texts);
    if (ended) this.clearMedia();
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

  setWaited(text: string): void {
    this.ref('waited').textContent = text;
  }

  showSystemMessage(text: string): void {
    this.systemMessage = text;
    const node = this.ref('system-message');
    node.textContent = text;
    node.hidden = false;
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

  setMediaNotice(status: MediaStatus, texts: WaitingRoomTexts): void {
    const lines: string[] = [];
    if (status.camera === 'denied') lines.push(texts.cameraDenied);
    if (status.camera === 'unavailable') lines.push(texts.cameraUnavailable);
    if (status.microphone === 'denied') lines.push(texts.microphoneDenied);
    if (status.microphone === 'unavailable') lines.push(texts.microphoneUnavailable);
    const notice = this.ref('media-notice');
    notice.textContent = lines.join(' ');
    notice.hidden = lines.length === 0;
    // An empty black box reads as "broken": without a camera there is nothing to preview.
    const noCamera = status.camera === 'denied' || status.camera === 'unavailable';
    this.ref('preview').hidden = noCamera;
    this.ref('self-video').hidden = noCamera;
  }

  setAudioBlocked(blocked: boolean): void {
    this.ref('enable-audio').hidden = !blocked;
  }

  showLocalVideo(track: LocalVideoTrack | null): void {
    if (track === this.localVideo) return;
    this.localVideo?.detach();
    this.localVideo = track;
    track?.attach(this.ref<HTMLVideoElement>('preview'));
    track?.attach(this.ref<HTMLVideoElement>('self-video'));
  }

  setRemoteVideo(track: RemoteTrack, added: boolean): void {
    if (added) {
      this.remoteVideo?.detach(this.ref<HTMLVideoElement>('remote-video'));
      this.remoteVideo = track;
      track.attach(this.ref<HTMLVideoElement>('remote-video'));
    } else if (track === this.remoteVideo) {
      track.detach();
      this.remoteVideo = null;
    }
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
    this.remoteVideo?.detach();
    this.remoteVideo = null;
    for (const track of this.remoteAudio) for (const element of track.detach()) element.remove();
    this.remoteAudio.clear();
    this.systemMessage = '';
  }
}
