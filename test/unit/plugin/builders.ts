// Builders for the session events the example tests feed the rules, in the clinic's words.

import type { SessionEvent } from '../../../plugin/events';
import type { Appointment } from '../../../plugin/roles';
import type { SessionInput } from '../../../plugin/session';

export const ROOM = 'session-42';
export const STUDENT = 'student-ana';
export const COUNSELOR = 'counselor-bo';
export const appointment: Appointment = { studentIdentity: STUDENT, counselorIdentity: COUNSELOR };

type Attributes = Record<string, string>;
const participant = (identity: string, sid: string, attributes: Attributes = {}) => ({ sid, identity, attributes });

export const joined = (identity: string, sid: string, at: number, attributes?: Attributes): SessionEvent => ({
  kind: 'participant_joined',
  id: `EV_joined_${sid}`,
  at,
  room: ROOM,
  participant: participant(identity, sid, attributes),
});

export const left = (identity: string, sid: string, at: number): SessionEvent => ({
  kind: 'participant_left',
  id: `EV_left_${sid}`,
  at,
  room: ROOM,
  participant: participant(identity, sid),
});

export const aborted = (identity: string, sid: string, at: number): SessionEvent => ({
  kind: 'participant_connection_aborted',
  id: `EV_aborted_${sid}`,
  at,
  room: ROOM,
  participant: participant(identity, sid),
});

export const roomStarted = (at: number): SessionEvent => ({ kind: 'room_started', id: `EV_started_${at}`, at, room: ROOM });
export const roomFinished = (at: number): SessionEvent => ({ kind: 'room_finished', id: `EV_finished_${at}`, at, room: ROOM });

export const endRequested = (at: number): SessionInput => ({ kind: 'end_requested', at });
export const cancelRequested = (at: number): SessionInput => ({ kind: 'cancel_requested', at });
export const graceExpired = (at: number): SessionInput => ({ kind: 'grace_expired', at });
export const noShowDue = (at: number): SessionInput => ({ kind: 'no_show_due', at });
