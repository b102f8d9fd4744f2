import { describe, expect, it } from 'vitest';
import { readSpecJson } from '../../protocol/testing/spec-files';
import { ProtocolValueError } from '../../protocol/errors';
import { formatTimeZoneOption, parseWallClock } from '../../protocol/time';
import {
  bareRecordWord,
  attClear,
  attDelete,
  attEnrollBio,
  attEnrollCard,
  attEnrollFp,
  attQueryAttlog,
  attQueryAttphoto,
  attQueryBiodata,
  attQueryFingerTmp,
  attQueryUserInfo,
  attSetOption,
  attUpdateBiodata,
  attUpdateBiophoto,
  attUpdateFace,
  attUpdateFingerTmp,
  attUpdateFvein,
  attPrivilegeOf,
  attUpdateUserInfo,
  attUpdateUserPic,
  attVerifySum,
  formatAttInitReply,
  wantsTransFlagDigits,
  formatAttUploadReply,
  parseAttInfo,
  parseAttlog,
  parseAttPhoto,
  parseOperlog,
  punchKey,
  type OperlogRecord,
  type TemplateRecord,
  type UserInfoRecord,
} from '.';

interface Sample {
  id: string;
  kind: string;
  request: { query: string | null; body: string | null } | null;
  command?: string;
  returnCode?: number;
}
const { samples } = readSpecJson<{ samples: Sample[] }>('field-samples.json');
const byId = Object.fromEntries(samples.map((s) => [s.id, s]));
const wc = (s: string) => parseWallClock(s)!;

describe('ATTLOG (attendance manual 11.2)', () => {
  // The manual's example, its TABs printed as spaces and `15: 16: 28` with a space after each colon.
  const manual = [
    '1452      2015-07-30 15: 16: 28 0   1   0   0   0',
    '1452      2015-07-30 15: 16: 29 0   1   0   0   0',
    '1452      2015-07-30 15: 16: 30 0   1   0   0   0',
    '1452      2015-07-30 15: 16: 31 0   1   0   0   0',
    '1452      2015-07-30 15: 16: 33 0   1   0   0   0',
    '1452      2015-07-30 15: 16: 34 0   1   0   0   0',
    '1452 2015-07-30 15: 16: 35 0 1 0 0 0',
    '8965 2015-07-30 15: 16: 36 0 1 0 0 0',
    '8965 2015-07-30 15: 16: 37 0 1 0 0 0',
  ].join('\n');

  it('reads the manual example as printed: 9 punches, answered OK: 9', () => {
    const r = parseAttlog(manual);
    expect(r.rejected).toEqual([]);
    expect(r.results).toHaveLength(9);
    expect(r.results[0]).toMatchObject({ pin: '1452', time: '2015-07-30 15:16:28', status: 0, verify: 1, workCode: '0', reserved: ['0', '0'] });
    expect(r.results[8]).toMatchObject({ pin: '8965', time: '2015-07-30 15:16:37' });
    expect(formatAttUploadReply(r.results.length)).toBe('OK: 9');
  });

  it('reads lines that mix TABs and blanks, a TAB between date and time, or slashes in the date', () => {
    const r = parseAttlog(
      ['1452\t2015-07-30 15:16:28 0 1 0 0 0', '1452 2015-07-30 15:16:29\t0\t1\t\t0\t0', '1452\t2015-07-30\t15:16:30\t1\t15', '1452\t2015/07/30 15:16:31\t0\t4'].join('\n'),
    );
    expect(r.rejected).toEqual([]);
    expect(r.results.map((p) => [p.pin, p.time, p.status, p.verify, p.workCode])).toEqual([
      ['1452', '2015-07-30 15:16:28', 0, 1, '0'],
      ['1452', '2015-07-30 15:16:29', 0, 1, ''],
      ['1452', '2015-07-30 15:16:30', 1, 15, ''],
      ['1452', '2015-07-30 15:16:31', 0, 4, ''],
    ]);
    // Still refused: no PIN, an impossible date.
    expect(parseAttlog('\t2015-07-30 15:16:28\t0\t1\n1452\t2015-13-30 15:16:28\t0\t1').rejected.map((x) => x.reason)).toEqual(['empty PIN', 'bad or missing time']);
  });

  it('reads the same records with real TABs', () => {
    const r = parseAttlog('1452\t2015-07-30 15:16:28\t0\t1\t0\t0\t0\n8965\t2015-07-30 15:16:37\t1\t15\t\t0\t0\n');
    expect(r.results.map((p) => [p.pin, p.time, p.status, p.verify, p.workCode])).toEqual([
      ['1452', '2015-07-30 15:16:28', 0, 1, '0'],
      ['8965', '2015-07-30 15:16:37', 1, 15, ''],
    ]);
  });

  it('field sample up-attlog-bock-trailing-tab: empty workcode, trailing TAB before CR LF', () => {
    const r = parseAttlog(byId['up-attlog-bock-trailing-tab'].request!.body!);
    expect(r.rejected).toEqual([]);
    expect(r.results.map((p) => [p.pin, p.time, p.status, p.verify, p.workCode, p.reserved])).toEqual([
      ['1', '2024-07-28 01:25:24', 0, 1, '', ['0', '0']],
      ['1', '2024-07-28 10:41:21', 0, 1, '', ['0', '0']],
      ['4', '2024-07-28 10:41:31', 0, 1, '', ['0', '0']],
    ]);
  });

  it('extra fields and a non-numeric work code are kept, never counted', () => {
    const [p] = parseAttlog('7\t2024-01-02 03:04:05\t4\t15\tWC-9\t0\t0\t255\t1\t\t\n').results;
    expect(p).toMatchObject({ status: 4, verify: 15, workCode: 'WC-9', reserved: ['0', '0', '255', '1'] });
  });

  it('a short record (PIN and time only) is a punch with unknown status', () => {
    expect(parseAttlog('9\t2024-01-02 03:04:05').results[0]).toMatchObject({ pin: '9', status: null, verify: null, workCode: '' });
  });

  it('one bad line never costs the good ones around it', () => {
    const r = parseAttlog('1\t2024-01-02 03:04:05\t0\t1\n\t2024-01-02 03:04:06\t0\t1\n2\t2024-02-30 00:00:00\t0\t1\ngarbage\n3\t2024-01-02 03:04:07\t0\t1\r\n');
    expect(r.results.map((p) => p.pin)).toEqual(['1', '3']);
    expect(r.rejected.map((x) => [x.lineNo, x.reason])).toEqual([
      [2, 'empty PIN'],
      [3, 'bad or missing time'],
      [4, 'not an ATTLOG record (PIN and time expected)'],
    ]);
  });

  it('punches separated by a lone CR are each read', () => {
    const r = parseAttlog('1\t2024-01-02 03:04:05\t0\t1\r2\t2024-01-02 03:04:06\t0\t1\r3\t2024-01-02 03:04:07\t0\t1\r');
    expect(r.rejected).toEqual([]);
    expect(r.results.map((p) => [p.pin, p.time])).toEqual([['1', '2024-01-02 03:04:05'], ['2', '2024-01-02 03:04:06'], ['3', '2024-01-02 03:04:07']]);
  });

  it('the punch key is stable across re-sends and states (rtlog In/Out vs ATTLOG state), and separates seconds and persons', () => {
    const [a] = parseAttlog('5\t2024-01-02 03:04:05\t0\t1\t0\t0\t0').results;
    const [b] = parseAttlog('5\t2024-01-02 03:04:05\t0\t1\t\t0\t0\t').results;
    const [c] = parseAttlog('5\t2024-01-02 03:04:05\t4\t1').results;
    const [d] = parseAttlog('5\t2024-01-02 03:04:06\t0\t1').results;
    const [e] = parseAttlog('6\t2024-01-02 03:04:05\t0\t1').results;
    expect(punchKey('SN1', a)).toBe(punchKey('SN1', b));
    expect(punchKey('SN1', a)).toBe(punchKey('SN1', c));
    expect(punchKey('SN1', a)).not.toBe(punchKey('SN1', d));
    expect(punchKey('SN1', a)).not.toBe(punchKey('SN1', e));
    expect(punchKey('SN1', a)).toBe('SN1_5_2024-01-02 03:04:05');
  });
});

describe('OPERLOG and BIODATA (attendance manual 11.4-11.15)', () => {
  const kinds = (rs: OperlogRecord[]) => rs.map((r) => r.kind);

  it('11.4 example: OPLOG 4 14 2015-07-30 10:22:34 0 0 0 0 → OK: 1', () => {
    const r = parseOperlog('OPLOG 4 14 2015-07-30 10: 22: 34 0 0 0 0');
    expect(r.rejected).toEqual([]);
    expect(r.results[0]).toMatchObject({ kind: 'OPLOG', opType: 4, opWho: '14', time: '2015-07-30 10:22:34' });
    expect(formatAttUploadReply(r.results.length)).toBe('OK: 1');
  });

  it('11.5 example: two USER lines (TABs printed as spaces, empty Passwd)', () => {
    const r = parseOperlog('USER PIN=36234 Name=36234 Pri=0 Passwd= Card=133440 Grp=1 TZ=0001000000000000\nUSER PIN=36235 Name=36235 Pri=0 Passwd= Card=133441 Grp=1 TZ=0001000000000000');
    expect(r.results).toHaveLength(2);
    expect(r.results[0]).toMatchObject({ kind: 'USER', pin: '36234', name: '36234', pri: 0, passwd: '', card: '133440', grp: 1, tz: '0001000000000000' });
  });

  it('11.9-11.13 examples: FP, FACE, FVEIN, BIODATA, USERPIC', () => {
    const body = [
      'FP PIN=2\tFID=0\tSize=1124\tValid=1\tTMP=SghTUzIxAAADS00ECAUHCc7QAAAnSnkBAAAAg/YUfEsyAI',
      'FP PIN=3 FID=1 Size=1592 Valid=3 TMP=TetTUzIxAAAEqKsECAUHCc7QAAAcqWkBAAAAhFUooagrA',
      'FACE PIN=306 FID=2 SIZE=1648 VALID=1 TMP=AAAAAAAAAAAAAAAAAAAAAFpLRmlYATFLFLToAU',
      'FVEIN Pin=306 FID=2 Index=0 Size=1648 Valid=1 Tmp=AAAAAAAAAAAAAAAAAAAAAFpLRmlYA',
      'BIODATA Pin=306\tNo=0\tIndex=2\tValid=1\tDuress=0\tType=8\tMajorVer=1\tMinorVer=0\tFormat=0\tTmp=AAAAAAAAAA==',
      'USERPIC PIN=123 FileName=123.jpg Size=10 Content=AAAAAAAAAA',
      'BIOPHOTO PIN=123 FileName=123.jpg Type=2 Size=95040 Content=AAAA',
      // The manual elides the data ("AAAA…" of Size=95040): ended by its line, as a terminal ends it, the line is read
      // (a body that ended inside it would be an upload cut short).
      '',
    ].join('\n');
    const r = parseOperlog(body);
    expect(r.rejected).toEqual([]);
    expect(kinds(r.results)).toEqual(['FP', 'FP', 'FACE', 'FVEIN', 'BIODATA', 'USERPIC', 'BIOPHOTO']);
    const [fp, duress, face, vein, bio] = r.results as TemplateRecord[];
    expect([fp.type, fp.no, fp.valid, fp.duress]).toEqual([1, 0, 1, 0]);
    expect([duress.no, duress.duress]).toEqual([1, 1]);
    expect([face.type, face.index, face.tmp]).toEqual([2, 2, 'AAAAAAAAAAAAAAAAAAAAAFpLRmlYATFLFLToAU']);
    expect([vein.type, vein.no, vein.index]).toEqual([7, 2, 0]);
    expect([bio.type, bio.index, bio.majorVer, bio.format, bio.tmp]).toEqual([8, 2, 1, '0', 'AAAAAAAAAA==']);
  });

  it('a template or photo whose data is written outside base64 is refused alone; escaped slashes and blanks inside are read', () => {
    const r = parseOperlog(['FP PIN=2\tFID=0\tValid=1\tTMP=!!not base64@@', 'FP PIN=2\tFID=1\tValid=1\tTMP=Sgh\\/TUz IxAA==', 'USERPIC PIN=2\tContent=<jpeg>', ''].join('\n'));
    expect(r.rejected.map((x) => x.reason)).toEqual(['FP TMP is no base64 data', 'USERPIC Content is no base64 data']);
    expect(r.results.map((x) => (x as TemplateRecord).no)).toEqual([1]);
    // The manual's elided examples (appendix, 11.13, 11.15) are read as before.
    const elided = parseOperlog(['BIODATA Pin=1\tNo=0\tIndex=0\tValid=1\tDuress=0\tType=9\tMajorver=5\tMinorver=8\tFormat=0\tTmp=AAAAA......', 'USERPIC PIN=123 FileName=123.jpg Size=10 Content=AAAAAAAAAA……', 'BIOPHOTO PIN=123 FileName=123.jpg Type=2 Size=95040 Content=AAAA........', ''].join('\n'));
    expect(elided.rejected).toEqual([]);
    expect(kinds(elided.results)).toEqual(['BIODATA', 'USERPIC', 'BIOPHOTO']);
  });

  it('field sample up-operlog-bock-oplog-fp: 28 OPLOG + 2 FP, the damaged template half refused alone', () => {
    const r = parseOperlog(byId['up-operlog-bock-oplog-fp'].request!.body!);
    const oplogs = r.results.filter((x) => x.kind === 'OPLOG');
    const fps = r.results.filter((x) => x.kind === 'FP');
    expect(oplogs).toHaveLength(28);
    expect(fps.map((x) => (x as TemplateRecord).no)).toEqual([0, 1]);
    expect(r.rejected).toHaveLength(1);
    expect(oplogs[10]).toMatchObject({ opType: 5, opWho: '0', time: '2024-06-13 12:51:22', values: ['26', '0', '0', '0'] });
  });

  it('field sample up-operlog-user-biopro: USER with ViceCard/StartDatetime/EndDatetime', () => {
    const r = parseOperlog(byId['up-operlog-user-biopro'].request!.body!);
    expect(r.rejected).toEqual([]);
    // An empty Card (or ViceCard) is no card.
    expect(r.results[0]).toMatchObject({ kind: 'USER', pin: '1', name: 'Delta', pri: 0, passwd: '', card: null, grp: 1, verify: 0, viceCard: null });
    expect((r.results[0] as { fields: Record<string, string> }).fields.EndDatetime).toBe('0');
  });

  it('USER Card=[15CD5B07] (11.5: bracketed hex, least significant byte first) is card 123456789; a malformed one costs its field only', () => {
    const r = parseOperlog('USER PIN=4001\tName=A\tCard=[15CD5B07]\tViceCard=[01000000]\nUSER PIN=4002\tName=B\tCard=[15CD5B]\tViceCard=[zz]\nUSER PIN=4003\tCard=987654\n');
    expect(r.rejected).toEqual([]);
    const users = r.results.filter((x): x is UserInfoRecord => x.kind === 'USER');
    // The unread value stays as sent (no card number, so never stored as one), its reason beside it.
    expect(users.map((x) => [x.pin, x.name, x.card, x.viceCard, x.unread.map((u) => u.field)])).toEqual([
      ['4001', 'A', '123456789', '1', []],
      ['4002', 'B', '[15CD5B]', '[zz]', ['Card', 'ViceCard']],
      ['4003', null, '987654', null, []],
    ]);
    expect(users[1].unread[0]).toMatchObject({ value: '[15CD5B]', reason: expect.stringMatching(/^malformed bracketed card number/) });
  });

  it('USER Grp and TZ (12.1.1.1): a group number and 16 digits are read; a malformed one costs its field only, an empty one is left out', () => {
    const r = parseOperlog(
      'USER PIN=4101\tName=A\tGrp=100\tTZ=0001000200010000\nUSER PIN=4102\tName=B\tGrp=x1\tTZ=12345\nUSER PIN=4103\tName=C\tGrp=\tTZ=\nUSER PIN=4104\tGrp=-1\tTZ=000100020001000a\n',
    );
    expect(r.rejected).toEqual([]);
    const users = r.results.filter((x): x is UserInfoRecord => x.kind === 'USER');
    expect(users.map((x) => [x.pin, x.name, x.grp, x.tz, x.unread.map((u) => `${u.field}=${u.value}`)])).toEqual([
      ['4101', 'A', 100, '0001000200010000', []],
      ['4102', 'B', null, null, ['Grp=x1', 'TZ=12345']],
      ['4103', 'C', null, null, []],
      ['4104', null, null, null, ['Grp=-1', 'TZ=000100020001000a']],
    ]);
    expect(users[1].unread[1].reason).toMatch(/16 digits/);
  });

  it('unknown record words are kept raw; lines without a word are refused', () => {
    const r = parseOperlog('IDCARD PIN=1\tSNNum=2\nzzz\nWORKCODE PIN=1\tCODE=3');
    expect(r.results.map((x) => (x.kind === 'other' ? x.table : x.kind))).toEqual(['IDCARD', 'WORKCODE']);
    expect(r.rejected.map((x) => x.lineNo)).toEqual([2]);
  });

  it("lines under a table's own name: its word (USERINFO, FINGERTMP) is the record's, and a line without one is read as the table's record", () => {
    expect(bareRecordWord('userinfo')).toBe('USER');
    expect(bareRecordWord('FINGERTMP')).toBe('FP');
    expect(bareRecordWord('OPERLOG')).toBeNull();
    const users = parseOperlog('PIN=7\tName=Bare\tPri=0\nUSERINFO PIN=8\tName=Worded\n', { bareWord: bareRecordWord('USERINFO') });
    expect(users).toMatchObject({ results: [{ kind: 'USER', pin: '7', name: 'Bare' }, { kind: 'USER', pin: '8', name: 'Worded' }], rejected: [] });
    const fingers = parseOperlog('PIN=7\tFID=3\tSize=4\tValid=1\tTMP=QUJD\nFINGERTMP PIN=8\tFID=1\tTMP=REVG\n', { bareWord: bareRecordWord('FINGERTMP') });
    expect(fingers).toMatchObject({ results: [{ kind: 'FP', pin: '7', no: 3, tmp: 'QUJD' }, { kind: 'FP', pin: '8', no: 1, tmp: 'REVG' }], rejected: [] });
    // On OPERLOG a line must still name its record.
    expect(parseOperlog('PIN=7\tName=Bare\n').rejected.map((x) => x.lineNo)).toEqual([1]);
  });
});

describe('OPERLOG cut inside its last USER line\'s PIN', () => {
  it('is refused when the body ends inside the line; a USER line with the PIN alone that ends with its line is read', () => {
    expect(parseOperlog('OPLOG 6\t0\t2015-07-30 10:22:34\t9402\t0\t0\t0\r\nUSER PIN=94')).toMatchObject({
      results: [{ kind: 'OPLOG' }],
      rejected: [{ line: 'USER PIN=94', reason: 'USER line cut short before its last fields (the body ends inside the line)' }],
    });
    expect(parseOperlog('USER PIN=94\n')).toMatchObject({ results: [{ kind: 'USER', pin: '94' }], rejected: [] });
    expect(parseOperlog('USER PIN=94\tName=An\n')).toMatchObject({ results: [{ kind: 'USER', pin: '94', name: 'An' }], rejected: [] });
  });

  it('a USER line the body ends inside before the fields every form goes on with (inside Name, Card, or a key) is refused; one that reaches TZ is read', () => {
    const user = 'USER PIN=9402\tName=Ann Lee\tPri=0\tPasswd=\tCard=12345678\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=';
    for (const cut of [user.slice(0, user.indexOf('Lee') + 1), user.slice(0, user.indexOf('Card=') + 8), user.slice(0, user.indexOf('Pri=') + 2), user.slice(0, user.indexOf('\tTZ') + 2)])
      expect(parseOperlog(`OPLOG 6\t0\t2015-07-30 10:22:34\t9402\t0\t0\t0\n${cut}`).rejected).toEqual([{ line: cut, lineNo: 2, reason: 'USER line cut short before its last fields (the body ends inside the line)' }]);
    for (const whole of [user, user.slice(0, user.indexOf('\tVerify')), 'USER PIN=1\tName=Delta\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000100000000\tVerify=0\tViceCard=\tStartDatetime=0\tEndDatetime=0'])
      expect(parseOperlog(whole)).toMatchObject({ results: [{ kind: 'USER', pin: whole.startsWith('USER PIN=1\t') ? '1' : '9402' }], rejected: [] });
  });

  it('a template or photo line the body ends inside whose data is shorter than its Size, or stops inside a base64 group, is refused', () => {
    const tmp = Buffer.from('fingerprint template of 9403, finger 6').toString('base64');
    const lines = [
      `FP PIN=9403\tFID=6\tSize=${tmp.length}\tValid=1\tTMP=${tmp}`,
      `BIODATA Pin=9403\tNo=6\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=10\tMinorVer=0\tFormat=0\tTmp=${tmp}`,
      `USERPIC PIN=9403\tFileName=9403.jpg\tSize=${tmp.length}\tContent=${tmp}`,
    ];
    const reasons = lines.map((l) => parseOperlog(l.slice(0, -4)).rejected.map((x) => x.reason));
    expect(reasons).toEqual([
      [`FP line cut short, its data (${tmp.length - 4}) shorter than its Size (${tmp.length}) (the body ends inside the line)`],
      [],
      [`USERPIC line cut short, its data (${tmp.length - 4}) shorter than its Size (${tmp.length}) (the body ends inside the line)`],
    ]);
    expect(parseOperlog(lines[1].slice(0, -3)).rejected.map((x) => x.reason)).toEqual(['BIODATA line cut short inside its base64 data (the body ends inside the line)']);
    // Whole, or ended by its line (a Size that does not match is not judged then): read.
    for (const l of [...lines, `${lines[0].slice(0, -4)}\n`, `${lines[1].slice(0, -3)}\r\n`]) expect(parseOperlog(l).rejected).toEqual([]);
  });

  it('an OPLOG line with fewer than its seven TAB fields is refused when the body ends inside it', () => {
    for (const cut of ['OPLOG 6\t0\t2015-07-30 10:22:34\t9402\t0', 'OPLOG 6\t0\t2015-07-30 10:22:3'])
      expect(parseOperlog(`USER PIN=9402\tName=Ann\n${cut}`).rejected).toEqual([{ line: cut, lineNo: 2, reason: 'OPLOG line cut short, fewer than its 7 fields (the body ends inside the line)' }]);
    for (const whole of ['OPLOG 6\t0\t2015-07-30 10:22:34\t9402\t0\t0\t0', 'OPLOG 6\t0\t2015-07-30 10:22:34\t9402\n', 'OPLOG 4 14 2015-07-30 10: 22: 34 0 0 0 0'])
      expect(parseOperlog(whole)).toMatchObject({ results: [{ kind: 'OPLOG' }], rejected: [] });
  });

  it('an OPLOG line with its seven fields that the body ends inside is read, marked as possibly cut short', () => {
    const r = parseOperlog('OPLOG 4\t0\t2024-06-13 12:55:40\t0\t0\t0\t0\r\nOPLOG 6\t0\t2024-06-13 12:55:41\t1\t0\t0\t90');
    expect(r.results.map((x) => (x.kind === 'OPLOG' ? [x.values, x.cutShort ?? false] : null))).toEqual([
      [['0', '0', '0', '0'], false],
      [['1', '0', '0', '90'], true],
    ]);
    expect(parseOperlog('OPLOG 6\t0\t2024-06-13 12:55:41\t1\t0\t0\t906\n').results[0]).not.toHaveProperty('cutShort');
  });
});

describe('ATTLOG cut one digit into the seconds of its last line', () => {
  it('is refused when the body ends inside the line; a line ended, or going on after its time, is read', () => {
    for (const cut of ['1452\t2015-07-30 15:16:2', '1452 2015-07-30 15:16:2', '1452\t2015-07-30 15:16:2\0'])
      expect(parseAttlog(`8965\t2015-07-30 15:16:37\t1\t15\r\n${cut}`)).toMatchObject({ results: [{ pin: '8965' }], rejected: [{ reason: 'cut short one digit into its seconds (the body ends inside the line)' }] });
    for (const whole of ['1452\t2015-07-30 15:16:2\n', '1452\t2015-07-30 15:16:2\t0\t1', '1452\t2015-07-30 15:16:28'])
      expect(parseAttlog(whole)).toMatchObject({ results: [{ pin: '1452' }], rejected: [] });
  });
});

describe('ATTPHOTO (11.3)', () => {
  it('reads the header and base64 data after the NUL; the file name gives time and PIN', () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    const p = parseAttPhoto(`PIN=20150731103012-123.jpg\nSN=0316144680030\nsize=9512\nCMD=uploadphoto\0${jpeg.toString('base64')}`);
    expect(typeof p).toBe('object');
    if (typeof p === 'string') return;
    expect(p).toMatchObject({ fileName: '20150731103012-123.jpg', sn: '0316144680030', size: 9512, cmd: 'uploadphoto', pin: '123' });
    expect(p.wallClock).toEqual(wc('2015-07-31 10:30:12'));
    expect(p.data.equals(jpeg)).toBe(true);
  });

  it('header lines ended by a lone CR are read like LF-ended ones', () => {
    const p = parseAttPhoto(`PIN=20150731103012-123.jpg\rSN=0316144680030\rsize=9512\rCMD=uploadphoto\0${Buffer.from([0xff, 0xd8]).toString('base64')}`);
    expect(p).toMatchObject({ fileName: '20150731103012-123.jpg', sn: '0316144680030', size: 9512, cmd: 'uploadphoto', pin: '123' });
  });

  it('11.8: an identity-card attendance photo is named time-photo type-user ID-id number; the manual prints its fields space-separated', () => {
    const data = Buffer.from([0xff, 0xd8, 9]).toString('base64');
    for (const sep of ['\n', ' ']) {
      const p = parseAttPhoto(`PIN=20160615093758-0-1457-210218199011304365.jpg${sep}SN=0316144680030${sep}size=9512${sep}CMD=uploadphoto\0${data}`);
      expect(p).toMatchObject({ fileName: '20160615093758-0-1457-210218199011304365.jpg', sn: '0316144680030', size: 9512, cmd: 'uploadphoto', pin: '1457', photoType: 0, idNumber: '210218199011304365' });
      if (typeof p !== 'string') expect(p.wallClock).toEqual(wc('2016-06-15 09:37:58'));
    }
    expect(parseAttPhoto(`PIN=20150731103012-123.jpg\nSN=1\0${data}`)).toMatchObject({ pin: '123', photoType: null, idNumber: null });
  });

  it('a body cut mid-upload (its base64 ending inside a group of four) is read as the part of the photo it holds', () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 0xff, 0xd9]);
    const b64 = jpeg.toString('base64');
    for (const cut of [5, 6, 7, 8]) {
      const p = parseAttPhoto(`PIN=20150731103012-123.jpg\nSN=1\nsize=12\nCMD=uploadphoto\0${b64.slice(0, cut)}`);
      if (typeof p === 'string') throw new Error(p);
      expect(p.data.length).toBeGreaterThan(0);
      expect(p.data.equals(jpeg.subarray(0, p.data.length))).toBe(true);
    }
  });

  it('refuses a body without a file name or without data', () => {
    expect(parseAttPhoto('SN=1\nsize=1\0abc')).toBe('ATTPHOTO without PIN (file name)');
    expect(parseAttPhoto('PIN=x.jpg\nSN=1')).toBe('ATTPHOTO without data');
  });
});

describe('initialisation (attendance manual 5)', () => {
  it('TransFlag format I (a digit per data type) for Push 3.x firmware, which transmits nothing when handed the names', () => {
    expect(['3.1.2', 'Ver 3.0.4S-20240809', '3', ' 10.0'].map(wantsTransFlagDigits)).toEqual([true, true, true, true]);
    expect(['2.4.1', '2.2.14', '', 'x3', undefined].map(wantsTransFlagDigits)).toEqual([false, false, false, false, false]);
    const flag = (c: Partial<Parameters<typeof formatAttInitReply>[1]>) =>
      formatAttInitReply('SN1', { stamps: {}, errorDelay: 30, delay: 10, timeZoneMinutes: 0, ...c }).split('\n').find((l) => l.startsWith('TransFlag='));
    expect(flag({ transFlagDigits: true })).toBe('TransFlag=111111111111');
    expect(flag({ transFlagDigits: true, transFlag: ['AttLog', 'EnrollUser', 'BioPhoto'] })).toBe('TransFlag=100010000001');
    expect(flag({})).toMatch(/^TransFlag=TransData AttLog\tOpLog/);
  });

  it('answers GET OPTION FROM with stamps, delays, TransFlag format II, TimeZone and versions', () => {
    const body = formatAttInitReply('0316144680030', { stamps: { ATTLOG: null, OPERLOG: '9999' }, errorDelay: 30, delay: 10, timeZoneMinutes: 480 });
    const lines = body.split('\n');
    expect(lines[0]).toBe('GET OPTION FROM: 0316144680030');
    expect(lines).toContain('ATTLOGStamp=None');
    expect(lines).toContain('OPERLOGStamp=9999');
    expect(lines).toContain('ATTPHOTOStamp=None');
    // The same marks under older firmware's names.
    expect(lines).toContain('Stamp=None');
    expect(lines).toContain('OpStamp=9999');
    expect(lines).toContain('PhotoStamp=None');
    expect(lines).toContain('ErrorDelay=30');
    expect(lines).toContain('Delay=10');
    expect(lines).toContain('TransTimes=00:00;14:05');
    expect(lines).toContain('TransInterval=1');
    expect(lines.find((l) => l.startsWith('TransFlag='))).toMatch(/^TransFlag=TransData AttLog\tOpLog\tAttPhoto\tEnrollUser\tChgUser\tEnrollFP\tChgFP/);
    expect(lines).toContain('TimeZone=8');
    expect(lines).toContain('Realtime=1');
    expect(lines).toContain('Encrypt=0');
    expect(lines).toContain('ServerVer=2.4.1');
    expect(lines).toContain('PushProtVer=2.4.1');
    expect(lines).toContain('PushOptionsFlag=1');
    // 3.1: the server issues the biometric types it takes; position 0 (the general type) is not one.
    expect(lines).toContain('MultiBioDataSupport=0:1:1:1:1:1:1:1:1:1');
    expect(lines).toContain('MultiBioPhotoSupport=0:0:0:0:0:0:0:0:0:1');
    expect(body.endsWith('\n')).toBe(false);
  });

  it('TimeZone is whole hours, or minutes when the offset is not whole', () => {
    expect(formatTimeZoneOption(480)).toBe('8');
    expect(formatTimeZoneOption(-300)).toBe('-5');
    expect(formatTimeZoneOption(330)).toBe('330');
    expect(formatTimeZoneOption(-210)).toBe('-210');
    expect(formatTimeZoneOption(0)).toBe('0');
    expect(formatTimeZoneOption(660)).toBe('11');
    expect(formatTimeZoneOption(-660)).toBe('-11');
  });

  it('TimeZone of ±12 h and beyond is in minutes: the manual has hours only for -12 < TimeZone < 12', () => {
    expect(formatTimeZoneOption(720)).toBe('720');
    expect(formatTimeZoneOption(780)).toBe('780');
    expect(formatTimeZoneOption(840)).toBe('840');
    expect(formatTimeZoneOption(-720)).toBe('-720');
    expect(formatTimeZoneOption(765)).toBe('765');
  });

  it('refuses an SN that would break the first line', () => {
    expect(() => formatAttInitReply('A\nB', { stamps: {}, errorDelay: 30, delay: 10, timeZoneMinutes: 0 })).toThrow(ProtocolValueError);
  });

  it('ends with registry=ok and the RegistryCode for a terminal that registered (Security PUSH 4.1), and refuses a bad code', () => {
    const c = { stamps: {}, errorDelay: 30, delay: 10, timeZoneMinutes: 0 };
    expect(formatAttInitReply('SN1', { ...c, registryCode: 'Uy47fxftP3' }).split('\n').slice(-2)).toEqual(['registry=ok', 'RegistryCode=Uy47fxftP3']);
    expect(formatAttInitReply('SN1', { ...c, registryCode: null })).not.toMatch(/registry|RegistryCode/);
    expect(() => formatAttInitReply('SN1', { ...c, registryCode: 'a\nb' })).toThrow(ProtocolValueError);
  });
});

describe('INFO on getrequest (attendance manual 9)', () => {
  it('reads the manual example', () => {
    const i = parseAttInfo('Ver 2.0.12-20150625,0,0,0,192.168.16.27,10,7,15,0,111')!;
    expect(i).toMatchObject({ firmware: 'Ver 2.0.12-20150625', userCount: 0, ip: '192.168.16.27', fpVersion: '10', faceVersion: '7', faceEnrollCount: 15, functions: '111', fingerprint: true, face: true, userPhoto: true, visibleFace: false });
  });

  it.each(['getrequest-info-v5l-zam180', 'other-zam70-capitalbrix'])('field sample %s: 13 fields, 5 function bits', (id) => {
    const info = new URLSearchParams(byId[id].request!.query!).get('INFO')!;
    const i = parseAttInfo(info)!;
    expect(i.functions).toBe('11110');
    expect(i.comparisonPhoto).toBe(true);
    expect(i.extra).toHaveLength(3);
    expect(i.attLogCount).toBeGreaterThan(0);
  });
});

describe('commands in the terminal dialect (attendance manual 12)', () => {
  it('12.1.1.1 USERINFO, 12.1.2.1 delete, 12.1.3 queries', () => {
    expect(attUpdateUserInfo({ pin: '1', name: 'Ann', pri: 14, passwd: '123', card: '133440', grp: 1, verify: 15 })).toBe(
      'DATA UPDATE USERINFO PIN=1\tName=Ann\tPri=14\tPasswd=123\tCard=133440\tGrp=1\tTZ=0000000000000000\tVerify=15',
    );
    expect(attDelete('USERINFO', '1')).toBe('DATA DELETE USERINFO PIN=1');
    expect(attDelete('FINGERTMP', '1', [['FID', 3]])).toBe('DATA DELETE FINGERTMP PIN=1\tFID=3');
    expect(attDelete('BIODATA', '1', [['Type', 9]])).toBe('DATA DELETE BIODATA Pin=1\tType=9');
    expect(attDelete('FVEIN', '1')).toBe('DATA DELETE FVEIN Pin=1');
    expect(attDelete('USERPIC', '1')).toBe('DATA DELETE USERPIC PIN=1');
    expect(attQueryAttlog(wc('2015-07-29 00:00:00'), wc('2015-07-29 23:59:59'))).toBe('DATA QUERY ATTLOG StartTime=2015-07-29 00:00:00\tEndTime=2015-07-29 23:59:59');
    expect(attQueryAttphoto(wc('2015-07-29 00:00:00'), wc('2015-07-29 23:59:59'))).toBe('DATA QUERY ATTPHOTO StartTime=2015-07-29 00:00:00\tEndTime=2015-07-29 23:59:59');
    expect(attQueryUserInfo('1')).toBe('DATA QUERY USERINFO PIN=1');
    expect(attQueryFingerTmp('1', 6)).toBe('DATA QUERY FINGERTMP PIN=1\tFingerID=6');
    expect(attQueryBiodata(1)).toBe('DATA QUERY BIODATA Type=1');
    expect(attQueryBiodata(9, '7', 0)).toBe('DATA QUERY BIODATA Type=9\tPIN=7\tNo=0');
  });

  it('templates and photos carry Size = base64 length', () => {
    expect(attUpdateFingerTmp({ pin: '1', fid: 6, tmp: 'c2FmZHNh' })).toBe('DATA UPDATE FINGERTMP PIN=1\tFID=6\tSize=8\tValid=1\tTMP=c2FmZHNh');
    expect(attUpdateFace({ pin: '1', fid: 0, tmp: 'c2Fm' })).toBe('DATA UPDATE FACE PIN=1\tFID=0\tValid=1\tSize=4\tTMP=c2Fm');
    expect(attUpdateFvein({ pin: '1', fid: 2, index: 1, tmp: 'c2Fm' })).toBe('DATA UPDATE FVEIN Pin=1\tFID=2\tIndex=1\tValid=1\tSize=4\tTmp=c2Fm');
    expect(attUpdateBiodata({ pin: '1', no: 6, index: 0, type: 1, majorVer: 10, minorVer: 0, format: 'ZK', tmp: 'c2Fm' })).toBe(
      'DATA UPDATE BIODATA Pin=1\tNo=6\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=10\tMinorVer=0\tFormat=ZK\tTmp=c2Fm',
    );
    expect(attUpdateUserPic({ pin: '1', content: 'AAAA' })).toBe('DATA UPDATE USERPIC PIN=1\tSize=4\tContent=AAAA');
    expect(attUpdateBiophoto({ pin: '1', type: 9, content: 'AAAA' })).toBe('DATA UPDATE BIOPHOTO PIN=1\tType=9\tSize=4\tContent=AAAA\tFormat=0');
  });

  it('CLEAR, CHECK, options, enrolment and VERIFY SUM', () => {
    expect(attClear('LOG')).toBe('CLEAR LOG');
    expect(attClear('DATA')).toBe('CLEAR DATA');
    expect(attSetOption('Delay', 10)).toBe('SET OPTION Delay=10');
    expect(attEnrollFp({ pin: '1', fid: 3 })).toBe('ENROLL_FP PIN=1\tFID=3\tRETRY=3\tOVERWRITE=1');
    expect(attEnrollCard({ pin: '408', retry: 3 })).toBe('ENROLL_MF PIN=408\tRETRY=3');
    expect(attEnrollBio({ type: 9, pin: '1' })).toBe('ENROLL_BIO TYPE=9\tPIN=1\tCardNo=\tRETRY=3\tOVERWRITE=1');
    expect(attVerifySum(wc('2015-07-29 00:00:00'), wc('2015-07-29 23:59:59'))).toBe('VERIFY SUM ATTLOG StartTime=2015-07-29 00:00:00\tEndTime=2015-07-29 23:59:59');
  });

  it('reads an odd Pri as the role of a user disabled at the terminal, and sends it back', () => {
    expect(attPrivilegeOf(3)).toEqual({ role: 2, disabled: true });
    expect(attPrivilegeOf(15)).toEqual({ role: 14, disabled: true });
    expect(attPrivilegeOf(1)).toEqual({ role: 0, disabled: true });
    expect(attPrivilegeOf(6)).toEqual({ role: 6, disabled: false });
    for (const bad of [4, 5, 16, -1, 2.5, 255]) expect(attPrivilegeOf(bad)).toBeNull();
    expect(attUpdateUserInfo({ pin: '1', pri: 3 })).toBe('DATA UPDATE USERINFO PIN=1\tName=\tPri=3\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1');
  });

  it('refuses TAB, CR and LF inside values, bad privileges and bad fingers', () => {
    expect(() => attUpdateUserInfo({ pin: '1', name: 'A\tPri=14' })).toThrow(ProtocolValueError);
    expect(() => attUpdateUserInfo({ pin: '1\nC:1:CLEAR DATA' })).toThrow(ProtocolValueError);
    expect(() => attUpdateUserInfo({ pin: '1', pri: 4 })).toThrow(ProtocolValueError);
    expect(() => attUpdateUserInfo({ pin: '1', pri: -1 })).toThrow(ProtocolValueError);
    expect(() => attUpdateUserInfo({ pin: '1', pri: 16 })).toThrow(ProtocolValueError);
    expect(() => attUpdateUserInfo({ pin: '' })).toThrow(ProtocolValueError);
    expect(() => attUpdateFingerTmp({ pin: '1', fid: 10, tmp: 'x' })).toThrow(ProtocolValueError);
    expect(() => attSetOption('A', 'x\tB=y')).toThrow(ProtocolValueError);
  });
});
