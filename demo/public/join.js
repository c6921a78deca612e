/* global document, location, URLSearchParams */
// Demo join page: puts the widget on the page for the session, identity, role and language in
// the link. The widget fetches its LiveKit token from the portal's server (token-url).
const params = new URLSearchParams(location.search);
const session = params.get('session') ?? '';
const identity = params.get('identity') ?? '';
const lang = params.get('lang') ?? 'en';
document.documentElement.lang = lang;

const widget = document.createElement('livekit-waiting-room');
widget.setAttribute('participant-role', params.get('role') === 'counselor' ? 'counselor' : 'student');
widget.setAttribute('lang', lang);
widget.setAttribute('token-url', `/api/sessions/${encodeURIComponent(session)}/token?identity=${encodeURIComponent(identity)}`);
// "End session for everyone" (shown to the counselor): the widget POSTs here, the portal's backend
// calls the clinic API's end, and both widgets show the session ended by the clinic.
if (params.get('role') === 'counselor') widget.setAttribute('end-url', `/api/sessions/${encodeURIComponent(session)}/end`);
widget.addEventListener('session-started', (event) => {
  document.title = `In session — ${event.detail.sessionId}`;
});
widget.addEventListener('session-ended', () => {
  document.title = 'Session over';
});
// `error` does not bubble (so it never reaches the page's error trackers): listen on the element.
widget.addEventListener('error', (event) => {
  if (event.detail.fatal) document.title = 'Could not connect';
});
document.getElementById('main').append(widget);
