// The element's shadow styles. Hosts restyle through the --lwr-* custom properties (every colour
// is one, with a dark scheme following prefers-color-scheme) and the ::part() names listed in
// api.ts; nothing here depends on the page's own CSS. Logical properties only (inline/block, not
// left/right), so a right-to-left page (`dir="rtl"`: Arabic, Hebrew) mirrors the layout.

export const styles = `
:host {
  --_accent: var(--lwr-accent, #2f6f5e);
  --_on-accent: var(--lwr-on-accent, #ffffff);
  --_bg: var(--lwr-background, #ffffff);
  --_fg: var(--lwr-foreground, #1d2327);
  --_muted: var(--lwr-muted, #5b6770);
  --_warning: var(--lwr-warning, #c98a00);
  --_danger: var(--lwr-danger, #b3261e);
  --_overlay: var(--lwr-overlay, rgb(0 0 0 / .72));
  --_on-overlay: var(--lwr-on-overlay, #ffffff);
  --_radius: var(--lwr-radius, 12px);
  --_stage-bg: var(--lwr-stage-background, #12181b);
  color-scheme: light dark;
  display: block;
  font-family: var(--lwr-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
  color: var(--_fg);
  background: var(--_bg);
  border-radius: var(--_radius);
  border: 1px solid color-mix(in srgb, var(--_fg) 15%, transparent);
  padding: 1rem;
  max-inline-size: var(--lwr-max-width, 960px);
  box-sizing: border-box;
}
@media (prefers-color-scheme: dark) {
  :host {
    --_accent: var(--lwr-accent, #7cc4ae);
    --_on-accent: var(--lwr-on-accent, #0f1a17);
    --_bg: var(--lwr-background, #15191c);
    --_fg: var(--lwr-foreground, #e7ecef);
    --_muted: var(--lwr-muted, #a3b0b8);
    --_warning: var(--lwr-warning, #f0b429);
    --_danger: var(--lwr-danger, #ff8a80);
    --_stage-bg: var(--lwr-stage-background, #000000);
  }
}
[hidden] { display: none !important; }
.header { display: flex; align-items: center; gap: .75rem; margin-block-end: .75rem; }
.status { display: inline-flex; align-items: center; gap: .4rem; color: var(--_muted); font-size: .9rem; }
.dot { inline-size: .6rem; block-size: .6rem; border-radius: 50%; background: var(--_muted); }
[data-phase="waiting"] .dot, [data-phase="active"] .dot { background: var(--_accent); }
[data-phase="reconnecting"] .dot, [data-phase="connecting"] .dot { background: var(--_warning); }
[data-phase="failed"] .dot { background: var(--_danger); }
h2 { font-size: 1.35rem; margin: 0 0 .25rem; }
.waited { margin: 0 0 1rem; color: var(--_muted); font-variant-numeric: tabular-nums; }
video { background: var(--_stage-bg); border-radius: calc(var(--_radius) * .6); inline-size: 100%; aspect-ratio: 4 / 3; object-fit: cover; display: block; }
.preview { max-inline-size: 320px; }
.stage { position: relative; }
.stage .remote { aspect-ratio: 16 / 9; }
/* A shared screen takes the stage, whole (contain); the person goes small at the block end. */
.stage .screen { aspect-ratio: 16 / 9; object-fit: contain; }
.stage[data-sharing] .remote { position: absolute; inset-inline-start: .75rem; inset-block-end: .75rem; inline-size: 22%; min-inline-size: 96px; aspect-ratio: 4 / 3; border: 2px solid var(--_bg); }
.stage[data-sharing] .remote-status { inset-block-end: auto; inset-block-start: 3.5rem; }
button.share[aria-pressed="true"] { background: var(--_accent); color: var(--_on-accent); }
.stage .self { position: absolute; inset-inline-end: .75rem; inset-block-end: .75rem; inline-size: 22%; min-inline-size: 96px; border: 2px solid var(--_bg); }
/* Three people or more (callLayout.ts): a grid of equal tiles, or on a phone the speaker large over a row of small ones. */
.stage[data-layout] { display: grid; grid-template-columns: repeat(var(--_cols), 1fr); gap: .5rem; }
.stage[data-layout] .remote, .stage[data-layout] .self { position: static; inline-size: 100%; min-inline-size: 0; aspect-ratio: 4 / 3; border: 0; }
.stage[data-layout] .screen { grid-column: 1 / -1; order: -1; }
[data-place="main"] { grid-column: 1 / -1; }
[data-place="off"] { display: none; }
[data-speaking] { outline: 3px solid var(--_accent); outline-offset: -3px; }
.notice { margin: .75rem 0 0; padding: .6rem .8rem; border-radius: 8px; background: color-mix(in srgb, var(--_warning) 14%, var(--_bg)); }
.system-message { margin: .75rem 0 0; padding: .6rem .8rem; border-radius: 8px; background: color-mix(in srgb, var(--_accent) 14%, var(--_bg)); font-weight: 600; }
.actions { display: flex; gap: .5rem; margin-block-start: .75rem; flex-wrap: wrap; }
button {
  font: inherit; cursor: pointer; border-radius: 8px; padding: .5rem 1rem;
  border: 1px solid var(--_accent); background: var(--_accent); color: var(--_on-accent);
}
button.secondary { background: transparent; color: var(--_accent); }
button.danger { background: var(--_danger); border-color: var(--_danger); }
/* The accent itself, offset from the button, so the ring shows on the page as well as on the button. */
button:focus-visible { outline: 3px solid var(--_accent); outline-offset: 2px; }
h2:focus { outline: none; }
h2:focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }
.timer { margin-inline-start: auto; font-variant-numeric: tabular-nums; color: var(--_muted); }
.preview { position: relative; }
.level { display: block; inline-size: 100%; block-size: .5rem; margin-block-start: .4rem; }
.hint { color: var(--_muted); margin: .5rem 0 0; }
.continuity, .remote-status { position: absolute; inset-inline-start: .75rem; margin: 0; padding: .4rem .7rem; border-radius: 8px; color: var(--_on-overlay); background: var(--_overlay); }
.continuity { inset-block-start: .75rem; inset-inline-end: .75rem; font-weight: 600; }
.remote-status { inset-block-end: .75rem; }
.continuity time { font-variant-numeric: tabular-nums; }
button.toggle[aria-pressed="false"] { background: var(--_bg); color: var(--_danger); border-color: var(--_danger); text-decoration: line-through; }
button:disabled { opacity: .55; cursor: not-allowed; }
.devices { align-self: center; }
.devices summary { cursor: pointer; color: var(--_accent); padding: .5rem; }
.devices label { display: flex; gap: .5rem; align-items: center; margin: .35rem 0; }
.devices select { font: inherit; max-inline-size: 16rem; }
.confirm { display: inline-flex; gap: .5rem; align-items: center; flex-wrap: wrap; font-weight: 600; }
.chat { margin-block-start: .75rem; border: 1px solid color-mix(in srgb, var(--_fg) 15%, transparent); border-radius: 8px; padding: .5rem; }
.chat-log { max-block-size: 10rem; overflow-y: auto; }
.chat-log p { margin: .2rem 0; overflow-wrap: anywhere; }
.chat-log b { margin-inline-end: .4rem; }
.chat-form { display: flex; gap: .5rem; margin-block-start: .5rem; }
.chat-form input { flex: 1; min-inline-size: 0; font: inherit; padding: .4rem .6rem; border-radius: 8px; border: 1px solid var(--_muted); background: var(--_bg); color: var(--_fg); }
.chat-form input:focus-visible { outline: 3px solid var(--_accent); outline-offset: 2px; }
.sr-only { position: absolute; inline-size: 1px; block-size: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (prefers-reduced-motion: no-preference) { .dot { transition: background .2s; } }
`;
