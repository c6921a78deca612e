// publishersOf: who may publish once the session is active (everyone on the appointment but
// observers, each once, the pair first) and what each may publish under the clinic's settings.
import { DEFAULT_CALL_SETTINGS, type CallSettings } from '../../../plugin/callSettings';
import { publishersOf, type Appointment } from '../../../plugin/roles';

const VOICE_AND_VIDEO = ['camera', 'microphone'];
const WITH_SCREEN = ['camera', 'microphone', 'screen_share', 'screen_share_audio'];

test('the pair alone: the student with voice and video, the counselor with a screen too (the defaults)', () => {
  const appointment: Appointment = { studentIdentity: 'stu', counselorIdentity: 'cou' };
  const grant = (sources: string[]) => ({ canPublish: true, canPublishSources: sources, canSubscribe: true, canPublishData: true });
  expect(publishersOf(appointment, DEFAULT_CALL_SETTINGS)).toEqual([
    { identity: 'stu', role: 'student', grant: grant(VOICE_AND_VIDEO) },
    { identity: 'cou', role: 'counselor', grant: grant(WITH_SCREEN) },
  ]);
});

test('everyone listed but observers, each once, in the appointment order after the pair', () => {
  const appointment: Appointment = {
    studentIdentity: 'stu',
    counselorIdentity: 'cou',
    participants: [
      { identity: 'cou', role: 'counselor' },
      { identity: 'mom', role: 'guardian' },
      { identity: 'sup', role: 'observer' },
      { identity: 'co', role: 'co_counselor' },
    ],
  };
  expect(publishersOf(appointment, DEFAULT_CALL_SETTINGS).map(({ identity, role }) => [identity, role])).toEqual([
    ['stu', 'student'],
    ['cou', 'counselor'],
    ['mom', 'guardian'],
    ['co', 'co_counselor'],
  ]);
});

test("the clinic's settings decide who may share a screen", () => {
  const appointment: Appointment = { studentIdentity: 'stu', counselorIdentity: 'cou' };
  const everyone: CallSettings = { screenShare: 'everyone', chat: true };
  const none: CallSettings = { screenShare: 'none', chat: false };
  expect(publishersOf(appointment, everyone).map(({ grant }) => grant.canPublishSources)).toEqual([WITH_SCREEN, WITH_SCREEN]);
  expect(publishersOf(appointment, none).map(({ grant }) => grant.canPublishSources)).toEqual([VOICE_AND_VIDEO, VOICE_AND_VIDEO]);
});
