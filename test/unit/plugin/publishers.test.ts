// publishersOf: who may publish once the session is active (everyone on the appointment but
// observers, each once, the pair first), what each may publish under the clinic's settings, and
// the observer notice each is told with the grant.
import { DEFAULT_CALL_SETTINGS, type CallSettings } from '../../../plugin/callSettings';
import { OBSERVED_ATTRIBUTE, OBSERVED_DISCLOSED } from '../../../plugin/observers';
import { publishersOf, type Appointment } from '../../../plugin/roles';

const VOICE_AND_VIDEO = ['camera', 'microphone'];
const WITH_SCREEN = ['camera', 'microphone', 'screen_share', 'screen_share_audio'];

test('the pair alone: the student with voice and video, the counselor with a screen too (the defaults)', () => {
  const appointment: Appointment = { studentIdentity: 'stu', counselorIdentity: 'cou' };
  const grant = (sources: string[]) => ({ canPublish: true, canPublishSources: sources, canSubscribe: true, canPublishData: true });
  expect(publishersOf(appointment, { callSettings: DEFAULT_CALL_SETTINGS, observersDisclosed: true })).toEqual([
    { identity: 'stu', role: 'student', grant: grant(VOICE_AND_VIDEO), attributes: {} },
    { identity: 'cou', role: 'counselor', grant: grant(WITH_SCREEN), attributes: {} },
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
  expect(publishersOf(appointment, { callSettings: DEFAULT_CALL_SETTINGS, observersDisclosed: true }).map(({ identity, role }) => [identity, role])).toEqual([
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
  expect(publishersOf(appointment, { callSettings: everyone, observersDisclosed: true }).map(({ grant }) => grant.canPublishSources)).toEqual([WITH_SCREEN, WITH_SCREEN]);
  expect(publishersOf(appointment, { callSettings: none, observersDisclosed: true }).map(({ grant }) => grant.canPublishSources)).toEqual([VOICE_AND_VIDEO, VOICE_AND_VIDEO]);
});

test('with an observer on the appointment, every publisher is told with the grant when the session discloses it, and nobody when it does not', () => {
  const appointment: Appointment = {
    studentIdentity: 'stu',
    counselorIdentity: 'cou',
    participants: [{ identity: 'mom', role: 'guardian' }, { identity: 'sup', role: 'observer' }],
  };
  const told = (observersDisclosed: boolean) => publishersOf(appointment, { callSettings: DEFAULT_CALL_SETTINGS, observersDisclosed }).map(({ identity, attributes }) => [identity, attributes]);
  const notice = { [OBSERVED_ATTRIBUTE]: OBSERVED_DISCLOSED };
  expect(told(true)).toEqual([['stu', notice], ['cou', notice], ['mom', notice]]);
  expect(told(false)).toEqual([['stu', {}], ['cou', {}], ['mom', {}]]);
});
