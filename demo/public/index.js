/* global document, fetch, EventSource */
// Demo portal home: asks the portal's server for a new session with the people the form names
// (the server holds the clinic API key) and shows each person's join link and the session's
// status, refreshed when the service's events reach the portal (server-sent events), never by
// polling.
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

const ROLE_NAMES = { student: 'the student', counselor: 'the counselor', guardian: 'the guardian', interpreter: 'the interpreter', observer: 'the observing supervisor' };

const form = () => ({
  guardian: byId('guardian').checked,
  guardianRequired: byId('guardian-required').checked,
  interpreter: byId('interpreter').checked,
  observer: byId('observer').checked,
  observersDisclosed: byId('observers-disclosed').checked,
});

const showLinks = (people, lang) => {
  const list = byId('links');
  list.replaceChildren(
    ...people.map((person) => {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.id = `${person.role}-link`;
      link.target = '_blank';
      link.href = `${person.url}&lang=${lang}`;
      link.textContent = `Join as ${ROLE_NAMES[person.role] ?? person.role}`;
      item.append(link, ` (${person.identity}${person.required ? ', the session waits for them' : ''})`);
      return item;
    }),
  );
};

byId('create').addEventListener('click', async () => {
  const response = await fetch('/api/sessions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(form()) });
  if (!response.ok) {
    byId('status').textContent = `could not create a session (HTTP ${response.status})`;
    return;
  }
  const session = await response.json();
  const lang = byId('lang').value;
  byId('session-id').textContent = session.id;
  showLinks(session.people, lang);
  byId('session').hidden = false;
  current = session.id;
  byId('last-event').textContent = 'none yet';
  await refresh();
});
