/* global document, location, URLSearchParams */
// Demo join page: puts the widget on the page for the session, identity, role and language in
// the link. The widget fetches its LiveKit token from the portal's server (token-url).
const params = new URLSearchParams(location.search);
const session = params.get('session') ?? '';
const identity = params.get('identity') ?? '';
const lang = params.get('lang') ?? 'en';
document.documentElement.lang = lang;

const widget = document.createElement('livekit-waiting-room');
widget.setAttribute('role', params.get('role') === 'counselor' ? 'counselor' : 'student');
widget.setAttribute('lang', lang);
widget.setAttribute('token-url', `/api/sessions/${encodeURIComponent(session)}/token?identity=${encodeURIComponent(identity)}`);
widget.addEventListener('session-started', (event) => {
  document.title = `In session — ${event.detail.sessionId}`;
});
widget.addEventListener('session-ended', () => {
  document.title = 'Session over';
});
document.getElementById('main').append(widget);
