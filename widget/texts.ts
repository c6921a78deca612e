// Every string the widget shows or announces, in English and Spanish, and how overrides are
// merged: built-in language, then the `texts` property, then `text-*` attributes (most specific).

export interface WaitingRoomTexts {
  /** The accessible name of the whole widget (a landmark region). */
  regionLabel: string;
  waitingForCounselor: string;
  waitingForStudent: string;
  /** With more than the pair: `{people}` is the missing roles joined ("the counselor and the interpreter"). */
  waitingForPeople: string;
  roleStudent: string;
  roleCounselor: string;
  roleGuardian: string;
  roleInterpreter: string;
  roleCoCounselor: string;
  /** Several students still missing in a group: `{count}` is how many. */
  studentsCount: string;
  listAnd: string;
  waitedLabel: string;
  statusConnecting: string;
  statusWaiting: string;
  statusReconnecting: string;
  statusActive: string;
  statusEnded: string;
  /** The header while this page left, or another device took over: the session itself may go on. */
  statusLeft: string;
  statusReplaced: string;
  statusFailed: string;
  sessionStarted: string;
  sessionResumed: string;
  sessionEnded: string;
  sessionTimedOut: string;
  sessionCancelled: string;
  sessionNoShow: string;
  sessionEndedRoomClosed: string;
  youLeft: string;
  replacedElsewhere: string;
  connectionFailed: string;
  /** Shown when the page gave the widget nothing to connect with (no token-url, token or tokenSource). */
  notConfigured: string;
  retry: string;
  rejoin: string;
  leave: string;
  enableAudio: string;
  previewLabel: string;
  selfViewLabel: string;
  remoteVideoLabelCounselor: string;
  remoteVideoLabelStudent: string;
  remoteVideoLabelGuardian: string;
  remoteVideoLabelInterpreter: string;
  remoteVideoLabelCoCounselor: string;
  /** While the session's join token says an observer (a clinical supervisor) may be watching, hidden: the clinic discloses it. */
  observed: string;
  /** On an observer's own page, at the start (in place of sessionStarted or sessionResumed): they watch, hidden, and cannot be seen or heard. */
  youAreObserving: string;
  cameraDenied: string;
  microphoneDenied: string;
  cameraUnavailable: string;
  microphoneUnavailable: string;
  microphone: string;
  camera: string;
  devices: string;
  microphoneDevice: string;
  cameraDevice: string;
  speakerDevice: string;
  microphoneLevel: string;
  entersMuted: string;
  youAreMuted: string;
  remoteMuted: string;
  remoteCameraOff: string;
  counselorDropped: string;
  studentDropped: string;
  counselorLeft: string;
  studentLeft: string;
  counselorBack: string;
  studentBack: string;
  guardianDropped: string;
  guardianLeft: string;
  guardianBack: string;
  interpreterDropped: string;
  interpreterLeft: string;
  interpreterBack: string;
  coCounselorDropped: string;
  coCounselorLeft: string;
  coCounselorBack: string;
  sessionTime: string;
  endForEveryone: string;
  confirmEnd: string;
  confirmEndYes: string;
  confirmEndNo: string;
  endFailed: string;
  shareScreen: string;
  youAreSharing: string;
  remoteScreenLabelCounselor: string;
  remoteScreenLabelStudent: string;
  counselorSharing: string;
  studentSharing: string;
  chatHeading: string;
  chatMessageLabel: string;
  chatSend: string;
  chatYou: string;
  chatCounselor: string;
  chatStudent: string;
  chatNotSent: string;
}

export type TextKey = keyof WaitingRoomTexts;

export const en: WaitingRoomTexts = {
  regionLabel: 'Counseling session',
  waitingForCounselor: 'Waiting for your counselor',
  waitingForStudent: 'Waiting for your student',
  waitingForPeople: 'Waiting for {people}',
  roleStudent: 'the student',
  roleCounselor: 'the counselor',
  roleGuardian: 'the guardian',
  roleInterpreter: 'the interpreter',
  roleCoCounselor: 'the co-counselor',
  studentsCount: '{count} students',
  listAnd: 'and',
  waitedLabel: 'Time waited',
  statusConnecting: 'Connecting…',
  statusWaiting: 'Connected, waiting',
  statusReconnecting: 'Reconnecting…',
  statusActive: 'In session',
  statusEnded: 'Session over',
  statusLeft: 'You left',
  statusReplaced: 'On your other device',
  statusFailed: 'Connection failed',
  sessionStarted: 'Your session has started',
  sessionResumed: 'Your session is in progress',
  sessionEnded: 'The session has ended',
  sessionTimedOut: 'The session has ended: nobody came back in time',
  sessionCancelled: 'This session was cancelled',
  sessionNoShow: 'This session did not take place: it was marked as a no-show',
  sessionEndedRoomClosed: 'The session has ended: the room was closed',
  youLeft: 'You left the session',
  replacedElsewhere: 'This session continues on your other device',
  connectionFailed: 'Could not connect to the session.',
  notConfigured: 'This page has not set up the session yet.',
  retry: 'Retry',
  rejoin: 'Rejoin',
  leave: 'Leave session',
  enableAudio: 'Turn on sound',
  previewLabel: 'Your camera preview',
  selfViewLabel: 'Your camera',
  remoteVideoLabelCounselor: 'Your counselor’s video',
  remoteVideoLabelStudent: 'Your student’s video',
  remoteVideoLabelGuardian: 'The guardian’s video',
  remoteVideoLabelInterpreter: 'The interpreter’s video',
  remoteVideoLabelCoCounselor: 'The co-counselor’s video',
  observed: 'A supervisor is observing this session',
  youAreObserving: 'You are observing this session',
  cameraDenied: 'Camera access was denied. You can continue without video, or allow the camera in your browser settings and reload the page.',
  microphoneDenied: 'Microphone access was denied. You can continue without sound from your side, or allow the microphone in your browser settings and reload the page.',
  cameraUnavailable: 'No camera could be started. You can continue without video.',
  microphoneUnavailable: 'No microphone could be started. You can continue without sound from your side.',
  microphone: 'Microphone',
  camera: 'Camera',
  devices: 'Devices',
  microphoneDevice: 'Microphone',
  cameraDevice: 'Camera',
  speakerDevice: 'Speaker',
  microphoneLevel: 'Microphone level',
  entersMuted: 'You will enter the session with your microphone off.',
  youAreMuted: 'You are muted: turn on the microphone to be heard.',
  remoteMuted: 'Muted',
  remoteCameraOff: 'Camera off',
  counselorDropped: 'Your counselor’s connection dropped - waiting for them to come back',
  studentDropped: 'Your student’s connection dropped - waiting for them to come back',
  counselorLeft: 'Your counselor left the call - waiting for them to come back',
  studentLeft: 'Your student left the call - waiting for them to come back',
  counselorBack: 'Your counselor is back',
  studentBack: 'Your student is back',
  guardianDropped: 'The guardian’s connection dropped - waiting for them to come back',
  guardianLeft: 'The guardian left the call - waiting for them to come back',
  guardianBack: 'The guardian is back',
  interpreterDropped: 'The interpreter’s connection dropped - waiting for them to come back',
  interpreterLeft: 'The interpreter left the call - waiting for them to come back',
  interpreterBack: 'The interpreter is back',
  coCounselorDropped: 'The co-counselor’s connection dropped - waiting for them to come back',
  coCounselorLeft: 'The co-counselor left the call - waiting for them to come back',
  coCounselorBack: 'The co-counselor is back',
  sessionTime: 'Session time',
  endForEveryone: 'End session for everyone',
  confirmEnd: 'End the session for both of you?',
  confirmEndYes: 'End session',
  confirmEndNo: 'Cancel',
  endFailed: 'The session could not be ended. Try again.',
  shareScreen: 'Share screen',
  youAreSharing: 'You are sharing your screen',
  remoteScreenLabelCounselor: 'Your counselor’s shared screen',
  remoteScreenLabelStudent: 'Your student’s shared screen',
  counselorSharing: 'Your counselor is sharing their screen',
  studentSharing: 'Your student is sharing their screen',
  chatHeading: 'Chat',
  chatMessageLabel: 'Message',
  chatSend: 'Send',
  chatYou: 'You',
  chatCounselor: 'Counselor',
  chatStudent: 'Student',
  chatNotSent: 'Your message could not be sent.',
};

export const es: WaitingRoomTexts = {
  regionLabel: 'Sesión de consejería',
  waitingForCounselor: 'Esperando a tu consejero',
  waitingForStudent: 'Esperando a tu estudiante',
  waitingForPeople: 'Esperando {people}',
  roleStudent: 'al estudiante',
  roleCounselor: 'al consejero',
  roleGuardian: 'al tutor',
  roleInterpreter: 'al intérprete',
  roleCoCounselor: 'al co-consejero',
  studentsCount: 'a {count} estudiantes',
  listAnd: 'y',
  waitedLabel: 'Tiempo de espera',
  statusConnecting: 'Conectando…',
  statusWaiting: 'Conectado, en espera',
  statusReconnecting: 'Reconectando…',
  statusActive: 'En sesión',
  statusEnded: 'Sesión terminada',
  statusLeft: 'Saliste',
  statusReplaced: 'En tu otro dispositivo',
  statusFailed: 'Falló la conexión',
  sessionStarted: 'Tu sesión ha comenzado',
  sessionResumed: 'Tu sesión está en curso',
  sessionEnded: 'La sesión ha terminado',
  sessionTimedOut: 'La sesión ha terminado: nadie volvió a tiempo',
  sessionCancelled: 'Esta sesión fue cancelada',
  sessionNoShow: 'Esta sesión no se realizó: se marcó como inasistencia',
  sessionEndedRoomClosed: 'La sesión ha terminado: la sala se cerró',
  youLeft: 'Saliste de la sesión',
  replacedElsewhere: 'Esta sesión continúa en tu otro dispositivo',
  connectionFailed: 'No se pudo conectar a la sesión.',
  notConfigured: 'Esta página aún no ha preparado la sesión.',
  retry: 'Reintentar',
  rejoin: 'Volver a entrar',
  leave: 'Salir de la sesión',
  enableAudio: 'Activar sonido',
  previewLabel: 'Vista previa de tu cámara',
  selfViewLabel: 'Tu cámara',
  remoteVideoLabelCounselor: 'Video de tu consejero',
  remoteVideoLabelStudent: 'Video de tu estudiante',
  remoteVideoLabelGuardian: 'Video del tutor',
  remoteVideoLabelInterpreter: 'Video del intérprete',
  remoteVideoLabelCoCounselor: 'Video del co-consejero',
  observed: 'Un supervisor está observando esta sesión',
  youAreObserving: 'Estás observando esta sesión',
  cameraDenied: 'Se denegó el acceso a la cámara. Puedes continuar sin video, o permitir la cámara en la configuración del navegador y recargar la página.',
  microphoneDenied: 'Se denegó el acceso al micrófono. Puedes continuar sin que se te escuche, o permitir el micrófono en la configuración del navegador y recargar la página.',
  cameraUnavailable: 'No se pudo iniciar ninguna cámara. Puedes continuar sin video.',
  microphoneUnavailable: 'No se pudo iniciar ningún micrófono. Puedes continuar sin que se te escuche.',
  microphone: 'Micrófono',
  camera: 'Cámara',
  devices: 'Dispositivos',
  microphoneDevice: 'Micrófono',
  cameraDevice: 'Cámara',
  speakerDevice: 'Altavoz',
  microphoneLevel: 'Nivel del micrófono',
  entersMuted: 'Entrarás a la sesión con el micrófono apagado.',
  youAreMuted: 'Tu micrófono está apagado: actívalo para que te escuchen.',
  remoteMuted: 'Micrófono apagado',
  remoteCameraOff: 'Cámara apagada',
  counselorDropped: 'Se cortó la conexión de tu consejero - esperando a que vuelva',
  studentDropped: 'Se cortó la conexión de tu estudiante - esperando a que vuelva',
  counselorLeft: 'Tu consejero salió de la llamada - esperando a que vuelva',
  studentLeft: 'Tu estudiante salió de la llamada - esperando a que vuelva',
  counselorBack: 'Tu consejero volvió',
  studentBack: 'Tu estudiante volvió',
  guardianDropped: 'Se cortó la conexión del tutor - esperando a que vuelva',
  guardianLeft: 'El tutor salió de la llamada - esperando a que vuelva',
  guardianBack: 'El tutor volvió',
  interpreterDropped: 'Se cortó la conexión del intérprete - esperando a que vuelva',
  interpreterLeft: 'El intérprete salió de la llamada - esperando a que vuelva',
  interpreterBack: 'El intérprete volvió',
  coCounselorDropped: 'Se cortó la conexión del co-consejero - esperando a que vuelva',
  coCounselorLeft: 'El co-consejero salió de la llamada - esperando a que vuelva',
  coCounselorBack: 'El co-consejero volvió',
  sessionTime: 'Tiempo de sesión',
  endForEveryone: 'Terminar la sesión para todos',
  confirmEnd: '¿Terminar la sesión para ambos?',
  confirmEndYes: 'Terminar la sesión',
  confirmEndNo: 'Cancelar',
  endFailed: 'No se pudo terminar la sesión. Inténtalo de nuevo.',
  shareScreen: 'Compartir pantalla',
  youAreSharing: 'Estás compartiendo tu pantalla',
  remoteScreenLabelCounselor: 'Pantalla compartida de tu consejero',
  remoteScreenLabelStudent: 'Pantalla compartida de tu estudiante',
  counselorSharing: 'Tu consejero está compartiendo su pantalla',
  studentSharing: 'Tu estudiante está compartiendo su pantalla',
  chatHeading: 'Chat',
  chatMessageLabel: 'Mensaje',
  chatSend: 'Enviar',
  chatYou: 'Tú',
  chatCounselor: 'Consejero',
  chatStudent: 'Estudiante',
  chatNotSent: 'No se pudo enviar tu mensaje.',
};

const LANGUAGES: Record<string, WaitingRoomTexts> = { en, es };

export const TEXT_KEYS = Object.keys(en) as TextKey[];

/** `waitingForCounselor` -> `text-waiting-for-counselor`. */
export const textAttributeName = (key: TextKey): string => `text-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Picks the built-in language from a BCP 47 tag (`es-MX` -> es); English otherwise. */
export function baseTexts(lang: string | null | undefined): WaitingRoomTexts {
  const primary = (lang ?? '').toLowerCase().split('-')[0] ?? '';
  return LANGUAGES[primary] ?? en;
}

/** Merges the built-in language with property and attribute overrides; empty strings are ignored. */
export function resolveTexts(
  lang: string | null | undefined,
  overrides: Partial<WaitingRoomTexts> | undefined,
  attribute: (name: string) => string | null,
): WaitingRoomTexts {
  const texts = { ...baseTexts(lang) };
  for (const key of TEXT_KEYS) {
    const fromProperty = overrides?.[key];
    if (typeof fromProperty === 'string' && fromProperty !== '') texts[key] = fromProperty;
    const fromAttribute = attribute(textAttributeName(key));
    if (fromAttribute !== null && fromAttribute !== '') texts[key] = fromAttribute;
  }
  return texts;
}

/** Time waited as mm:ss (hours fold into minutes: a waiting room past 99 minutes is unusual). */
export function formatWaited(ms: number): string {
  const totalSeconds = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return `${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}

/** Elapsed time as m:ss, or h:mm:ss from an hour on: the session timer and the continuity notice. */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor(total / 60) % 60;
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}
