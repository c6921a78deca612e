/* global document, location, URLSearchParams, atob */
// Demo join page: puts the widget on the page for the person whose signed link this is. The
// widget fetches its LiveKit token from the portal's server with that link's pass (token-url);
// the server mints the token of the link's identity, whatever the page says. The role read here
// only chooses what the page shows: a student who edits it gets an End button that is refused.
const params = new URLSearchParams(location.search);
const pass = params.get('pass') ?? '';
const lang = params.get('lang') ?? 'en';
document.documentElement.lang = lang;

const readPass = () => {
  try {
    return JSON.parse(atob((pass.split('.')[0] ?? '').replaceAll('-', '+').replaceAll('_', '/')));
  } catch {
    return {};
  }
};
const role = readPass().r === 'counselor' ? 'counselor' : 'student';

const widget = document.createElement('livekit-waiting-room');
widget.setAttribute('participant-role', role);
widget.setAttribute('lang', lang);
widget.setAttribute('token-url', `/api/links/${encodeURIComponent(pass)}/token`);
// "End session for everyone" (shown to the counselor): when the token answer carries the service's
// endUrl the widget POSTs there with its join token as bearer; otherwise here, and the portal's backend
// checks the link is the counselor's and calls the clinic API's end; both widgets show the session ended by the clinic.
if (role === 'counselor') widget.setAttribute('end-url', `/api/links/${encodeURIComponent(pass)}/end`);
widget.addEventListener('lwr-session-started', (event) => {
  document.title = `In session — ${event.detail.sessionId}`;
});
widget.addEventListener('lwr-session-ended', () => {
  document.title = 'Session over';
});
// `lwr-error` does not bubble (so it never reaches the page's error trackers): listen on the element.
widget.addEventListener('lwr-error', (event) => {
  if (event.detail.fatal) document.title = 'Could not connect';
});
document.getElementById('main').append(widget);
