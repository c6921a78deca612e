// LiveKit's multi-node mode: two livekit-server processes sharing one Redis, a session hosted on
// each, the service's API calls made to one node whichever node hosts the room. Then the node
// hosting one session goes away mid-session (a graceful stop; a SIGKILL): its participants come
// back through the other node, the service records them by their new sids, tells them the session
// is on, and nobody is shown a waiting room again. Real clients (@livekit/rtc-node) throughout.
import mongoose from 'mongoose';
import { must, type ClinicClient } from '../../../webhook-service/client';
import { uniqueName, waitFor } from '../../support/isolation';
import { disposeClients, join, received, snapshotOf, type Client } from '../../support/rtcClients';
import { clinicClient } from './harness';
import { socketsOf, startTwoNodes, type TwoNodes } from './livekitNodes';
import type { LivekitNode } from '../../../scripts/stack/livekitCluster';

jest.setTimeout(120_000);

let nodes: TwoNodes | null = null;
afterEach(async () => {
  await nodes?.stop();
  nodes = null;
});
afterAll(async () => {
  await disposeClients();
});

interface HostedSession {
  id: string;
  room: string;
  node: LivekitNode;
  identities: { student: string; counselor: string };
  clients: Client[];
  messageId: string;
}

async function sessionOn(cluster: TwoNodes, api: ClinicClient, node: LivekitNode): Promise<HostedSession> {
  const identities = { student: uniqueName('student'), counselor: uniqueName('counselor') };
  // The service names each session's room: sessions are created until LiveKit places one's room on `node`.
  const byRoom = new Map<string, string>();
  const room = await cluster.roomOn(node, async () => {
    const created = must(await api.createSession({ studentIdentity: identities.student, counselorIdentity: identities.counselor }));
    byRoom.set(created.roomName, created.id);
    return created.roomName;
  });
  const id = byRoom.get(room) as string;
  const clients = [await join(id, identities.student, { via: api, livekitUrl: node.url }), await join(id, identities.counselor, { via: api, livekitUrl: node.url })];
  await waitFor(() => clients.every((client) => received(client, 'session_started', id)), { timeoutMs: 20_000 });
  const messageId = (received(clients[0]!, 'session_started', id) as { messageId: string }).messageId;
  return { id, room, node, identities, clients, messageId };
}

/** Joins through `node`, again until it works: right after a node dies LiveKit may still route its rooms there. */
async function rejoin(api: ClinicClient, session: HostedSession, identity: string, node: LivekitNode): Promise<Client> {
  return waitFor(() => join(session.id, identity, { via: api, livekitUrl: node.url }), { timeoutMs: 40_000, intervalMs: 500 });
}

async function joinedSids(cluster: TwoNodes, sessionId: string): Promise<string[]> {
  const connection = await mongoose.createConnection(cluster.service.config.MONGODB_URI).asPromise();
  try {
    const events = await connection.collection('session_events').find({ sessionId, kind: 'participant_joined' }).toArray();
    return events.map((event) => event.participantSid as string);
  } finally {
    await connection.close();
  }
}

async function whenAHostingNodeGoesAway(stop: (node: LivekitNode) => Promise<void>): Promise<void> {
  nodes = await startTwoNodes();
  const cluster = nodes;
  const [first, second] = cluster.cluster.nodes as [LivekitNode, LivekitNode];
  for (const node of [first, second]) {
    expect(socketsOf(node.server.pid as number).length).toBeGreaterThan(0);
    expect(socketsOf(node.server.pid as number).every((address) => address.startsWith('127.0.0.1:'))).toBe(true);
  }
  expect(first.nodeId()).not.toBe(second.nodeId());
  const api = clinicClient(cluster.service);

  // A session on each node: each node sends its own room's webhooks; the service calls the first.
  const staying = await sessionOn(cluster, api, first);
  const moving = await sessionOn(cluster, api, second);
  for (const session of [staying, moving]) {
    expect(await cluster.nodeOf(session.room)).toBe(session.node);
    for (const client of session.clients) await waitFor(() => snapshotOf(client)?.status === 'active', { timeoutMs: 10_000 });
  }

  await stop(second);
  // Its participants come back through the other node, with new sids, as a widget reconnecting would.
  const returned = [await rejoin(api, moving, moving.identities.student, first), await rejoin(api, moving, moving.identities.counselor, first)];
  expect(await cluster.nodeOf(moving.room)).toBe(first);
  for (const client of returned) {
    await waitFor(() => received(client, 'session_started', moving.id), { timeoutMs: 20_000 });
    expect(received(client, 'session_started', moving.id)?.messageId).toBe(moving.messageId);
    await waitFor(() => snapshotOf(client)?.status === 'active', { timeoutMs: 10_000 });
    // The re-created room's metadata never said anything but "active" to a returning participant.
    expect(client.snapshots.every((snapshot) => snapshot.sessionId === moving.id && snapshot.status === 'active')).toBe(true);
  }
  const newSids = returned.map((client) => client.room.localParticipant?.sid as string);
  await waitFor(async () => {
    const sids = await joinedSids(cluster, moving.id);
    return newSids.every((sid) => sids.includes(sid));
  }, { timeoutMs: 20_000 });
  const view = must(await api.getSession(moving.id));
  expect(view.status).toBe('active');
  expect(view.participants.every((participant) => participant.connected)).toBe(true);

  // The session on the surviving node never noticed.
  expect(must(await api.getSession(staying.id)).status).toBe('active');
  for (const client of staying.clients) {
    expect(client.disconnectReason).toBeNull();
    expect(client.snapshots.every((snapshot) => snapshot.status === 'active')).toBe(true);
  }
  await Promise.all([...staying.clients, ...moving.clients, ...returned].map((client) => client.room.disconnect()));
}

test('when the node hosting a session is stopped (SIGTERM, as LiveKit stops), then its participants return through the other node by new sids and the session stays active', async () => {
  await whenAHostingNodeGoesAway((node) => node.server.stop());
});

test('when the node hosting a session is killed (SIGKILL), then its participants return through the other node by new sids and the session stays active', async () => {
  await whenAHostingNodeGoesAway(async (node) => {
    node.server.signal('SIGKILL');
    await node.server.waitExit();
  });
});
