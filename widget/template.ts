// The element's shadow markup. Texts are filled in later with textContent (never innerHTML), so
// host-supplied strings cannot inject markup. `data-ref` names what view.ts looks up. No inline
// `style` here: the styles are adopted (view.ts), so a strict style-src allows the widget.

export const template = `
<div part="base" class="base" data-ref="base" data-phase="idle">
  <div part="header" class="header">
    <slot name="logo"></slot>
    <span part="status" class="status"><span class="dot" aria-hidden="true"></span><span data-ref="status"></span></span>
    <span part="timer" class="timer" data-ref="timer-box" hidden><span class="sr-only" data-ref="timer-label"></span> <time data-ref="timer"></time></span>
  </div>
  <section part="waiting-room" class="waiting" data-ref="waiting" aria-labelledby="lwr-heading" hidden>
    <h2 part="heading" id="lwr-heading" data-ref="heading"></h2>
    <p part="waited" class="waited"><span data-ref="waited-label"></span> <time data-ref="waited" aria-hidden="true">00:00</time></p>
    <slot name="waiting"></slot>
    <div part="preview" class="preview"><video data-ref="preview" autoplay muted playsinline></video>
      <meter part="level" class="level" data-ref="level" min="0" max="1" low="0.15" high="0.8" optimum="0.5" value="0"></meter></div>
    <p part="enters-muted" class="hint" data-ref="enters-muted" hidden></p>
  </section>
  <section part="call" class="call" data-ref="call" hidden>
    <div class="stage" data-ref="stage">
      <video part="remote-screen" class="screen" data-ref="remote-screen" autoplay playsinline hidden></video>
      <video part="remote-video" class="remote" data-ref="remote-video" autoplay playsinline></video>
      <p part="continuity" class="continuity" data-ref="continuity" hidden><span data-ref="continuity-text"></span> (<time data-ref="continuity-time"></time>)</p>
      <p part="remote-status" class="remote-status" data-ref="remote-status" hidden></p>
      <video part="self-video" class="self" data-ref="self-video" autoplay muted playsinline></video>
    </div>
    <div data-ref="audio-sink" hidden></div>
    <section part="chat" class="chat" data-ref="chat" aria-labelledby="lwr-chat-heading" hidden>
      <h3 class="sr-only" id="lwr-chat-heading" data-ref="chat-heading"></h3>
      <div class="chat-log" data-ref="chat-log" role="log" aria-labelledby="lwr-chat-heading" tabindex="0"></div>
      <form class="chat-form" data-ref="chat-form">
        <label class="sr-only" for="lwr-chat-input" data-ref="chat-label"></label>
        <input part="chat-input" id="lwr-chat-input" data-ref="chat-input" autocomplete="off" maxlength="2000">
        <button part="button chat-send" type="submit" data-ref="chat-send"></button>
      </form>
    </section>
  </section>
  <section part="ended" class="ended" data-ref="ended" hidden>
    <h2 data-ref="ended-heading" tabindex="-1"></h2>
    <slot name="ended"></slot>
  </section>
  <p part="observed" class="notice" data-ref="observed" hidden></p>
  <p part="media-notice" class="notice" data-ref="media-notice" hidden></p>
  <p part="muted-hint" class="notice" data-ref="muted-hint" hidden></p>
  <p part="sharing" class="notice" data-ref="sharing" hidden></p>
  <p part="error" class="notice" data-ref="error" role="alert" hidden></p>
  <p part="system-message" class="system-message" data-ref="system-message" hidden></p>
  <div part="controls" class="actions" data-ref="controls" hidden>
    <button part="button microphone-button" type="button" class="toggle" data-ref="microphone" aria-pressed="true"></button>
    <button part="button camera-button" type="button" class="toggle" data-ref="camera" aria-pressed="true"></button>
    <button part="button share-button" type="button" class="secondary share" data-ref="share" aria-pressed="false" hidden></button>
    <details part="devices" class="devices" data-ref="devices">
      <summary data-ref="devices-summary"></summary>
      <label><span data-ref="audioinput-label"></span> <select data-ref="audioinput"></select></label>
      <label><span data-ref="videoinput-label"></span> <select data-ref="videoinput"></select></label>
      <label data-ref="audiooutput-row"><span data-ref="audiooutput-label"></span> <select data-ref="audiooutput"></select></label>
    </details>
  </div>
  <div part="actions" class="actions">
    <button part="button retry-button" type="button" data-ref="retry" hidden></button>
    <button part="button enable-audio-button" type="button" class="secondary" data-ref="enable-audio" hidden></button>
    <button part="button leave-button" type="button" class="secondary" data-ref="leave" hidden></button>
    <button part="button end-button" type="button" class="danger" data-ref="end" hidden></button>
    <span part="confirm-end" class="confirm" data-ref="confirm" hidden><span data-ref="confirm-text"></span>
      <button part="button" type="button" class="danger" data-ref="confirm-yes"></button>
      <button part="button" type="button" class="secondary" data-ref="confirm-no"></button></span>
  </div>
  <div class="sr-only" data-ref="live" aria-live="polite" aria-atomic="true"></div>
</div>
`;
