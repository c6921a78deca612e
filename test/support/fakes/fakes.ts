// Fakes of the service's other ports for use-case unit tests: they record what was asked, so a
// test can say what the use case did; the real adapters are covered by the integration suites.
import type { AuditEntry, AuditPosition, AuditTrail } from '../../../webhook-service/usecases/ports/AuditTrail';
import type { ClinicEvent, ClinicEvents } from '../../../webhook-service/usecases/ports/ClinicEvents';
import type { Clock } from '../../../webhook-service/usecases/ports/Clock';
import type { JoinTokenMinter, JoinTokenRequest } from '../../../webhook-service/usecases/ports/JoinTokenMinter';
import type { ActivateJob, CloseJob, LifecycleJobs, NotifyJob, TimerJob } from '../../../webhook-service/usecases/ports/LifecycleJobs';
import type { ParticipantPermission, ParticipantSummary, RoomCallResult, RoomGateway, RoomSummary, SendDataOptions } from '../../../webhook-service/usecases/ports/RoomGateway';
import type { SessionLocks } from '../../../webhook-service/usecases/ports/SessionLocks';

export class RecordingJobs implements LifecycleJobs {
  readonly activations: ActivateJob[] = [];
  readonly notifications: NotifyJob[] = [];
  readonly closes: CloseJob[] = [];
  readonly graceChecks: TimerJob[] = [];
  readonly noShowChecks: TimerJob[] = [];
  readonly startChecks: TimerJob[] = [];
  async requestActivation(job: ActivateJob) {
    this.activations.push(job);
  }
  async requestNotify(job: NotifyJob) {
    this.notifications.push(job);
  }
  async requestClose(job: CloseJob) {
    this.closes.push(job);
  }
  async scheduleGraceCheck(job: TimerJob) {
    this.graceChecks.push(job);
  }
  async scheduleStartCheck(job: TimerJob) {
    this.startChecks.push(job);
  }
  async scheduleNoShowCheck(job: TimerJob) {
    this.noShowChecks.push(job);
  }
}

export class RecordingClinicEvents implements ClinicEvents {
  readonly published: ClinicEvent[] = [];
  async publish(events: readonly ClinicEvent[]) {
    this.published.push(...events);
  }
  types(): string[] {
    return this.published.map((event) => event.type);
  }
}

export type RoomCall =
  | { call: 'sendData'; room: string; data: string; options: SendDataOptions }
  | { call: 'updateRoomMetadata'; room: string; metadata: string }
  | { call: 'openRoom'; room: string; metadata: string }
  | { call: 'deleteRoom'; room: string }
  | { call: 'listParticipants'; room: string }
  | { call: 'setPermission'; room: string; identity: string; permission: ParticipantPermission }
  | { call: 'setAttributes'; room: string; identity: string; attributes: Record<string, string> }
  | { call: 'removeParticipant'; room: string; identity: string };

/** LiveKit's rooms as a list of calls; rooms named in `missing` answer "not found". */
export class RecordingRooms implements RoomGateway {
  readonly calls: RoomCall[] = [];
  readonly missing = new Set<string>();
  failing: Error | null = null;
  async sendData(room: string, data: Uint8Array, options: SendDataOptions): Promise<RoomCallResult> {
    this.check();
    this.calls.push({ call: 'sendData', room, data: new TextDecoder().decode(data), options });
    return this.missing.has(room) ? 'room_not_found' : 'done';
  }
  async updateRoomMetadata(room: string, metadata: string): Promise<RoomCallResult> {
    this.check();
    this.calls.push({ call: 'updateRoomMetadata', room, metadata });
    return this.missing.has(room) ? 'room_not_found' : 'done';
  }
  async openRoom(room: string, metadata: string): Promise<void> {
    this.check();
    this.calls.push({ call: 'openRoom', room, metadata });
  }
  async deleteRoom(room: string): Promise<void> {
    this.check();
    this.calls.push({ call: 'deleteRoom', room });
  }
  /** What LiveKit has: rooms with their metadata and participants. */
  readonly live = new Map<string, { metadata: string; participants: ParticipantSummary[] }>();
  async listRooms(names?: string[]): Promise<RoomSummary[]> {
    this.check();
    return [...this.live.entries()]
      .filter(([name]) => !names || names.includes(name))
      .map(([name, room]) => ({ name, metadata: room.metadata, numParticipants: room.participants.length }));
  }
  async listParticipants(room: string): Promise<ParticipantSummary[] | 'room_not_found'> {
    this.check();
    this.calls.push({ call: 'listParticipants', room });
    return this.live.get(room)?.participants ?? 'room_not_found';
  }
  /** Changes the permission of a participant `live` has; 'room_not_found' for anyone else, as LiveKit answers. */
  async setPermission(room: string, identity: string, permission: ParticipantPermission, attributes: Readonly<Record<string, string>> = {}): Promise<RoomCallResult> {
    this.check();
    this.calls.push({ call: 'setPermission', room, identity, permission });
    const participants = this.live.get(room)?.participants.filter((participant) => participant.identity === identity) ?? [];
    for (const participant of participants) {
      participant.canPublish = permission.canPublish;
      Object.assign(participant.attributes, attributes);
    }
    return participants.length > 0 ? 'done' : 'room_not_found';
  }
  /** Merges attributes into a participant `live` has (an empty value removes one), as LiveKit does; 'room_not_found' for anyone else. */
  async setAttributes(room: string, identity: string, attributes: Readonly<Record<string, string>>): Promise<RoomCallResult> {
    this.check();
    this.calls.push({ call: 'setAttributes', room, identity, attributes: { ...attributes } });
    const participants = this.live.get(room)?.participants.filter((participant) => participant.identity === identity) ?? [];
    for (const participant of participants) {
      for (const [key, value] of Object.entries(attributes)) {
        if (value === '') delete participant.attributes[key];
        else participant.attributes[key] = value;
      }
    }
    return participants.length > 0 ? 'done' : 'room_not_found';
  }
  /** Disconnects a participant `live` has; 'room_not_found' for anyone else, as LiveKit answers. */
  async removeParticipant(room: string, identity: string): Promise<RoomCallResult> {
    this.check();
    this.calls.push({ call: 'removeParticipant', room, identity });
    const live = this.live.get(room);
    const before = live?.participants.length ?? 0;
    if (live) live.participants = live.participants.filter((participant) => participant.identity !== identity);
    return live && live.participants.length < before ? 'done' : 'room_not_found';
  }
  private check(): void {
    if (this.failing) throw this.failing;
  }
}

export class RecordingTokens implements JoinTokenMinter {
  readonly minted: JoinTokenRequest[] = [];
  async mint(request: JoinTokenRequest) {
    this.minted.push(request);
    return { token: `token-for-${request.identity}`, url: 'ws://127.0.0.1:7880' };
  }
}

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** Session locks in one process: a promise chain per session. */
export class InProcessLocks implements SessionLocks {
  private readonly tails = new Map<string, Promise<unknown>>();
  async withLock<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(sessionId) ?? Promise.resolve();
    const run = previous.then(work, work);
    this.tails.set(sessionId, run.catch(() => undefined));
    return run;
  }
}

/** The audit trail in memory. */
export class InMemoryAuditTrail implements AuditTrail {
  readonly entries: AuditEntry[] = [];
  failing: Error | null = null;
  async record(entry: AuditEntry): Promise<void> {
    if (this.failing) throw this.failing;
    this.entries.push(entry);
  }
  async deleteForSession(sessionId: string): Promise<void> {
    this.entries.splice(0, this.entries.length, ...this.entries.filter((entry) => entry.sessionId !== sessionId));
  }
  async list(sessionId: string, page: { limit: number; before: AuditPosition | null }): Promise<AuditEntry[]> {
    const newestFirst = (a: AuditEntry, b: AuditEntry) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
    const { before } = page;
    const older = (entry: AuditEntry) => !before || entry.at < before.at || (entry.at.getTime() === before.at.getTime() && entry.id < before.id);
    return this.entries
      .filter((entry) => entry.sessionId === sessionId && older(entry))
      .sort(newestFirst)
      .slice(0, page.limit);
  }
}
