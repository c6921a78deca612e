// The attendance CSV never hands a spreadsheet a formula: texts that start like one (OWASP's
// = + - @ tab CR) are neutralised with a leading ' inside quotes; everything else is RFC 4180.
import { attendanceCsv, type SessionPage } from '../../../webhook-service/usecases/listSessions';

function pageWith(identity: string, roomName = 'room-1', lateSeconds: number | null = null): SessionPage {
  return {
    nextCursor: null,
    sessions: [
      {
        id: 'ses_1',
        roomName,
        externalId: null,
        status: 'active',
        endReason: null,
        scheduledStart: null,
        actualStart: null,
        actualEnd: null,
        closedAt: null,
        observersDisclosed: true,
        participants: [{ identity, role: 'student', connected: true, firstJoinedAt: '2030-01-02T03:00:00.000Z', lateSeconds, intervals: [{ joinedAt: '2030-01-02T03:00:00.000Z', leftAt: null }] }],
      },
    ],
  };
}

const row = (csv: string) => csv.split('\r\n')[1];

test.each([
  ['=1+1', `"'=1+1"`],
  ['+x', `"'+x"`],
  ['-x', `"'-x"`],
  ['@x', `"'@x"`],
  ['\tx', `"'\tx"`],
  ['\rx', `"'\rx"`],
  ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
])('an identity %j becomes the text %s', (identity, cell) => {
  expect(row(attendanceCsv(pageWith(identity)))).toBe(`ses_1,room-1,active,student,${cell},2030-01-02T03:00:00.000Z,,`);
});

test('a room name that starts like a formula is neutralised too', () => {
  expect(row(attendanceCsv(pageWith('stu', '@SUM(A1)')))).toBe(`ses_1,"'@SUM(A1)",active,student,stu,2030-01-02T03:00:00.000Z,,`);
});

test('ordinary texts stay as they are, quoted only when RFC 4180 needs it; a negative number stays a number', () => {
  expect(row(attendanceCsv(pageWith('stu-1', 'room, 2', -30)))).toBe('ses_1,"room, 2",active,student,stu-1,2030-01-02T03:00:00.000Z,,-30');
  expect(row(attendanceCsv(pageWith('a"b')))).toBe('ses_1,room-1,active,student,"a""b",2030-01-02T03:00:00.000Z,,');
});
