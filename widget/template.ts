// The element's shadow markup. Texts are filled in later with textContent (never innerHTML), so
// host-supplied strings cannot inject markup. `data-ref` names what view.ts looks up.

import { styles } from './styles';

export const template = `
<style>${styles}</style>
<div part="base" class="base" data-ref="base" data-phase="idle">
  <div part="header" class="header">
    <slot name="logo"></slot>
    <span part="status" class="status"><span class="dot" aria-hidden="true"></span><span data-ref="status"></span></span>
  </div>
  <section part="waiting-room" class="waiting" data-ref="waiting" aria-labelledby="lwr-heading" hidden>
    <h2 part="heading" id="lwr-heading" data-ref="heading"></h2>
    <p part="waited" class="waited"><span data-ref="waited-label"></span> <time data-ref="waited" aria-hidden="true">00:00</time></p>
    <slot name="waiting"></slot>
    <div part="preview" class="preview"><video data-ref="preview" autoplay muted playsinline></video></div>
  </section>
  <section part="call" class="call" data-ref="call" hidden>
    <div class="stage">
      <video part="remote-video" class="remote" data-ref="remote-video" autoplay playsinline></video>
      <video part="self-video" class="self" data-ref="self-video" autoplay muted playsinline></video>
    </div>
    <div data-ref="audio-sink" hidden></div>
  </section>
  <section part="ended" class="ended" data-ref="ended" hidden>
    <h2 data-ref="ended-heading" tabindex="-1"></h2>
    <slot name="ended"></slot>
  </section>
  <p part="media-notice" class="notice" data-ref="media-notice" hidden></p>
  <p part="error" class="notice" data-ref="error" role="alert" hidden></p>
  <p part="system-message" class="system-message" data-ref="system-message" hidden></p>
  <div part="actions" class="actions">
    <button part="button retry-button" type="button" data-ref="retry" hidden></button>
    <button part="button enable-audio-button" type="button" class="secondary" data-ref="enable-audio" hidden></button>
    <button part="button leave-button" type="button" class="danger" data-ref="leave" hidden></button>
  </div>
  <div class="sr-only" data-ref="live" aria-live="polite" aria-atomic="true"></div>
</div>
`;
