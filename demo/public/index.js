/* global document, fetch, EventSource */
// Demo portal home: asks the portal's server for a new session (the server holds the clinic API
// key) and shows the two join links and the session's status, refreshed when the service's
// events reach the portal (server-sent events), never by polling.
const byId = (id) => document.getElementById(id);
let current = null;

const refresh = async () => {
  if (!current) return;
  const state = await fetch(`/api/sessions/${encodeURIComponent(current)}`).then((r) => r.json());
  byId('status').textContent = state.actualStart ? `${state.status} (since ${new Date(state.actualStart).toLocaleTimeString()})` : state.status;
};

new EventSource('/api/events').addEventListener('message', (message) => {
  const event = JSON.parse(message.data);
  if (event.sessionId !== current) return;
  byId('last-event').textContent = event.type;
  void refresh();
});

byId('create').addEventListener('click', async () => {
  const response = await fetch('/api/sessions', { method: 'POST' });
  if (!response.ok) {
    byId('status').textContent = `could not create a session (HTTP ${response.status})`;
    return;
  }
  const session = await response.json();
  const lang = byId('lang').value;
  byId('session-id').textContent = session.id;
  byId('student-link').href = `${session.studentUrl}&lang=${lang}`;
  byId('counselor-link').href = `${session.counselorUrl}&lang=${lang}`;
  byId('session').hidden = false;
  current = session.id;
  byId('last-event').textContent = 'none yet';
  await refresh();
});
