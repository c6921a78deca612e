// The element's shadow styles. Hosts restyle through the --lwr-* custom properties and the
// ::part() names listed in element.ts; nothing here depends on the page's own CSS.

export const styles = `
:host {
  --_accent: var(--lwr-accent, #2f6f5e);
  --_bg: var(--lwr-background, #ffffff);
  --_fg: var(--lwr-foreground, #1d2327);
  --_muted: var(--lwr-muted, #5b6770);
  --_radius: var(--lwr-radius, 12px);
  --_stage-bg: var(--lwr-stage-background, #12181b);
  display: block;
  font-family: var(--lwr-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
  color: var(--_fg);
  background: var(--_bg);
  border-radius: var(--_radius);
  border: 1px solid color-mix(in srgb, var(--_fg) 15%, transparent);
  padding: 1rem;
  max-width: var(--lwr-max-width, 960px);
  box-sizing: border-box;
}
[hidden] { display: none !important; }
.header { display: flex; align-items: center; gap: .75rem; margin-bottom: .75rem; }
.status { display: inline-flex; align-items: center; gap: .4rem; color: var(--_muted); font-size: .9rem; }
.dot { width: .6rem; height: .6rem; border-radius: 50%; background: var(--_muted); }
[data-phase="waiting"] .dot, [data-phase="active"] .dot { background: var(--_accent); }
[data-phase="reconnecting"] .dot, [data-phase="connecting"] .dot { background: #c98a00; }
[data-phase="failed"] .dot { background: #b3261e; }
h2 { font-size: 1.35rem; margin: 0 0 .25rem; }
.waited { margin: 0 0 1rem; color: var(--_muted); font-variant-numeric: tabular-nums; }
video { background: var(--_stage-bg); border-radius: calc(var(--_radius) * .6); width: 100%; aspect-ratio: 4 / 3; object-fit: cover; display: block; }
.preview { max-width: 320px; }
.stage { position: relative; }
.stage .remote { aspect-ratio: 16 / 9; }
.stage .self { position: absolute; right: .75rem; bottom: .75rem; width: 22%; min-width: 96px; border: 2px solid var(--_bg); }
.notice { margin: .75rem 0 0; padding: .6rem .8rem; border-radius: 8px; background: color-mix(in srgb, #c98a00 14%, var(--_bg)); }
.system-message { margin: .75rem 0 0; padding: .6rem .8rem; border-radius: 8px; background: color-mix(in srgb, var(--_accent) 14%, var(--_bg)); font-weight: 600; }
.actions { display: flex; gap: .5rem; margin-top: .75rem; flex-wrap: wrap; }
button {
  font: inherit; cursor: pointer; border-radius: 8px; padding: .5rem 1rem;
  border: 1px solid var(--_accent); background: var(--_accent); color: #fff;
}
button.secondary { background: transparent; color: var(--_accent); }
button.danger { background: #b3261e; border-color: #b3261e; }
/* The accent itself, offset from the button, so the ring shows on the page as well as on the button. */
button:focus-visible { outline: 3px solid var(--_accent); outline-offset: 2px; }
h2:focus { outline: none; }
h2:focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }
.timer { margin-left: auto; font-variant-numeric: tabular-nums; color: var(--_muted); }
.preview { position: relative; }
.level { display: block; width: 100%; height: .5rem; margin-top: .4rem; }
.hint { color: var(--_muted); margin: .5rem 0 0; }
.continuity, .remote-status { position: absolute; left: .75rem; margin: 0; padding: .4rem .7rem; border-radius: 8px; color: #fff; background: rgb(0 0 0 / .72); }
.continuity { top: .75rem; right: .75rem; font-weight: 600; }
.remote-status { bottom: .75rem; }
.continuity time { font-variant-numeric: tabular-nums; }
button.toggle[aria-pressed="false"] { background: #fff; color: #b3261e; border-color: #b3261e; text-decoration: line-through; }
button:disabled { opacity: .55; cursor: not-allowed; }
.devices { align-self: center; }
.devices summary { cursor: pointer; color: var(--_accent); padding: .5rem; }
.devices label { display: flex; gap: .5rem; align-items: center; margin: .35rem 0; }
.devices select { font: inherit; max-width: 16rem; }
.confirm { display: inline-flex; gap: .5rem; align-items: center; flex-wrap: wrap; font-weight: 600; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (prefers-reduced-motion: no-preference) { .dot { transition: background .2s; } }
`;
