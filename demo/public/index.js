/* global document, fetch, setInterval, clearInterval */
// Demo portal home: asks the portal's server for a new session (the server holds the clinic API
// token) and shows the two join links and the session's status.
const byId = (id) => document.getElementById(id);
let poller = null;

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
  clearInterval(poller);
  const refresh = async () => {
    const state = await fetch(`/api/sessions/${encodeURIComponent(session.id)}`).then((r) => r.json());
    byId('status').textContent = state.actualStart ? `${state.status} (since ${new Date(state.actualStart).toLocaleTimeString()})` : state.status;
  };
  await refresh();
  poller = setInterval(refresh, 2000);
});
