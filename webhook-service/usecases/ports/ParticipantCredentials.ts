// The port that checks a participant's own credential (the join token the service minted for
// them): what it proves is who they are and which session they were let into, nothing more.
// What they may do there is decided from the service's own record, not from the credential.

export interface ParticipantCredential {
  identity: string;
  sessionId: string;
  /** The LiveKit room the credential joins. */
  room: string;
}

export interface ParticipantCredentials {
  /** Throws ServiceError `participant_unauthorized` for anything but a credential we minted. */
  verify(credential: string): Promise<ParticipantCredential>;
}
