/**
 * The attendance planner's decision without a database: a terminal's desired items against what it confirmed
 * (and what is in flight), to commands in its dialect with the refs the confirmation hook reads back.
 */
import { describe, expect, it } from 'vitest';
import { parseOperlogLine } from '../push/attendance/protocol/operlog';
import { composeTerminalCommands, isTerminalNameOf, refusedItems, terminalMember, terminalUserItem, userInfoCommand, userLineHash, type AttSyncPerson, type AttSyncTemplate, type AttSyncTerminal, type TerminalMember } from './attendance-commands';
import { currentState, diffItems, type ItemId } from './sync-items';

const terminal = (biodata: boolean): AttSyncTerminal => ({ id: 't'.repeat(32), sn: 'ATT1', kind: 'att', areaId: null, biodata });
const person = (pin: string, extra: Partial<AttSyncPerson> = {}): AttSyncPerson => ({
  id: pin.padStart(32, '0'), pin, name: `P${pin}`, lastName: null, cardNo: null, password: null, photo: null, pri: 0, verifyMode: null, ...extra,
});
const finger = (no: number, tmp = `tmp${no}`): AttSyncTemplate => ({ bioType: 1, no, index: 0, validType: 1, majorVer: 10, minorVer: 0, format: 0, template: tmp });

function plan(t: AttSyncTerminal, members: Map<string, TerminalMember>, confirmed: Map<ItemId, string>, hold = new Set<ItemId>()) {
  const desired = new Map<ItemId, string>();
  for (const [pin, m] of members) for (const [kind, item] of m) desired.set(`${kind}\t${pin}`, item.hash);
  const current = currentState(confirmed, []);
  return composeTerminalCommands(t, members, diffItems({ desired, current, hold }), current, 'p1');
}

describe('terminal items and commands', () => {
  const t = terminal(true);
  const ann = terminalMember(t, person('1'), [finger(3)]);

  it('a new member: USERINFO then BIODATA, each ref naming its one item', () => {
    const out = plan(t, new Map([['1', ann]]), new Map());
    expect(out.map((c) => c.command.split('\t')[0])).toEqual(['DATA UPDATE USERINFO PIN=1', 'DATA UPDATE BIODATA Pin=1']);
    expect(out.map((c) => c.ref)).toEqual([
      { sync: 1, plan: 'p1', kind: 'user', put: [['1', ann.get('user')!.hash]] },
      { sync: 1, plan: 'p1', kind: 'bio', put: [['1', ann.get('bio')!.hash]] },
    ]);
    // The bio hash names the template types it holds (a removal on older firmware needs them), then its slots.
    expect(ann.get('bio')!.hash).toMatch(/^1:[0-9a-f]{40}\/1\.3=[0-9a-f]{12}$/);
  });

  it('confirmed as desired: nothing; a changed template set is cleared first, then sent', () => {
    const held = new Map<ItemId, string>([['user\t1', ann.get('user')!.hash], ['bio\t1', ann.get('bio')!.hash]]);
    expect(plan(t, new Map([['1', ann]]), held)).toEqual([]);
    const changed = terminalMember(t, person('1'), [finger(4)]);
    const out = plan(t, new Map([['1', changed]]), held);
    // The slot that went is deleted by its Type and No (manual 12.1.2.5), the new one sent.
    expect(out.map((c) => c.command.split('\tIndex')[0])).toEqual(['DATA DELETE BIODATA Pin=1\tType=1\tNo=3', 'DATA UPDATE BIODATA Pin=1\tNo=4']);
    expect(out.every((c) => c.ref.kind === 'bio' && c.ref.put?.[0][1] === changed.get('bio')!.hash)).toBe(true);
    // Held in a form from before slots were kept (its legacy part only): every template of the PIN, as before.
    const legacy = new Map(held).set('bio\t1', ann.get('bio')!.hash.split('/')[0]);
    expect(plan(t, new Map([['1', changed]]), legacy).map((c) => c.command.split('\t')[0])).toEqual(['DATA DELETE BIODATA Pin=1', 'DATA UPDATE BIODATA Pin=1']);
  });

  it('one template of several deleted or changed: only its slot is deleted and sent, the others stay untouched', () => {
    const face = (index: number): AttSyncTemplate => ({ bioType: 9, no: 0, index, validType: 1, majorVer: 58, minorVer: 1, format: 0, template: `face${index}` });
    const three = terminalMember(t, person('5'), [finger(1), finger(2), finger(3), face(0), face(1)]);
    const held = new Map<ItemId, string>([['user\t5', three.get('user')!.hash], ['bio\t5', three.get('bio')!.hash]]);
    const without2 = plan(t, new Map([['5', terminalMember(t, person('5'), [finger(1), finger(3), face(0), face(1)])]]), held);
    expect(without2.map((c) => c.command)).toEqual(['DATA DELETE BIODATA Pin=5\tType=1\tNo=2']);
    const faceChanged = plan(t, new Map([['5', terminalMember(t, person('5'), [finger(1), finger(2), finger(3), face(0)])]]), held);
    expect(faceChanged.map((c) => c.command.split('\tValid')[0])).toEqual(['DATA DELETE BIODATA Pin=5\tType=9\tNo=0', 'DATA UPDATE BIODATA Pin=5\tNo=0\tIndex=0']);
    // On older firmware by FID (12.1.2.2); a face set only whole (12.1.2.3, by PIN).
    const old = terminal(false);
    const oldHeld = terminalMember(old, person('5'), [finger(1), finger(2), { ...face(0), bioType: 2 }]);
    const oldPlan = plan(old, new Map([['5', terminalMember(old, person('5'), [finger(1), { ...face(0), bioType: 2, template: 'other' }])]]), new Map([['user\t5', oldHeld.get('user')!.hash], ['bio\t5', oldHeld.get('bio')!.hash]]));
    expect(oldPlan.map((c) => c.command.split('\tTMP')[0])).toEqual(['DATA DELETE FINGERTMP PIN=5\tFID=2', 'DATA DELETE FACE PIN=5', 'DATA UPDATE FACE PIN=5\tFID=0\tValid=1\tSize=5']);
  });

  it('a member no longer desired: one DATA DELETE USERINFO whose ref cascades to templates and photo', () => {
    const held = new Map<ItemId, string>([['user\t1', 'u'], ['bio\t1', '1:x'], ['photo\t1', 'p']]);
    const out = plan(t, new Map(), held);
    expect(out).toEqual([{ command: 'DATA DELETE USERINFO PIN=1', ref: { sync: 1, plan: 'p1', kind: 'user', del: ['1'], cascade: ['bio', 'photo'] } }]);
    // Replayed as in flight, the cascade leaves nothing of the pin.
    expect([...currentState(held, [out[0].ref])]).toEqual([]);
  });

  it('older firmware: templates gone are deleted from the tables their types live in', () => {
    const old = terminal(false);
    const held = new Map<ItemId, string>([['user\t2', terminalMember(old, person('2'), []).get('user')!.hash], ['bio\t2', '1.2:x']]);
    const out = plan(old, new Map([['2', terminalMember(old, person('2'), [])]]), held);
    expect(out.map((c) => c.command)).toEqual(['DATA DELETE FINGERTMP PIN=2', 'DATA DELETE FACE PIN=2']);
    expect(out.every((c) => c.ref.del?.[0] === '2' && c.ref.kind === 'bio')).toBe(true);
  });

  it('items in backoff and items of a refused table are not planned', () => {
    const withPhoto = terminalMember(t, person('5', { photo: 'aGVsbG8=' }), []);
    const refused = refusedItems(new Map([['5', withPhoto]]), new Set(['DATA UPDATE USERPIC']));
    expect([...refused]).toEqual(['photo\t5']);
    const out = plan(t, new Map([['5', withPhoto]]), new Map(), new Set([...refused, 'user\t5']));
    expect(out).toEqual([]);
  });
});

describe('isTerminalNameOf: a device gives back the name it was sent', () => {
  it.each([
    ['the name itself', 'Ann', { name: 'Ann', lastName: null }, true],
    ['first and last name joined, as sent', 'Pia Ros', { name: 'Pia', lastName: 'Ros' }, true],
    ['what GBK cannot hold as ?, as a terminal set to Chinese holds it', '王?五', { name: '王😀五', lastName: null }, true],
    ['a rename at the device', 'Pia Moreno', { name: 'Pia', lastName: 'Ros' }, false],
    ['a ? where the name has a GBK character', '王?五', { name: '王六五', lastName: null }, false],
    ['what windows-1252 cannot hold as ?, as older Latin-1 firmware holds it', 'Zoë ?', { name: 'Zoë', lastName: '张' }, true],
    ['a ? where the name has a character both GBK and windows-1252 hold', 'Ren?e Li', { name: 'Renée', lastName: 'Li' }, false],
    ['cut to a 24-byte name field', 'Maximilian Alexander Sc', { name: 'Maximilian Alexander', lastName: 'Schwarzenegger' }, true],
    ['cut to 24 bytes, a trailing space dropped', 'Maximilian Alexander', { name: 'Maximilian Alexander', lastName: 'Schwarzenegger' }, true],
    ['a Chinese name cut to 24 GBK bytes (12 characters)', '欧阳娜娜欧阳娜娜欧阳娜娜', { name: '欧阳娜娜欧阳娜娜欧阳娜娜欧阳', lastName: null }, true],
    ['a short prefix is a rename at the device, not a cut', 'Pia', { name: 'Pia', lastName: 'Ros' }, false],
    ['a longer name is a rename', 'Maximilian Alexander Schwarzenegger Jr', { name: 'Maximilian Alexander', lastName: 'Schwarzenegger' }, false],
  ])('%s', (_name, uploaded, person, expected) => {
    expect(isTerminalNameOf(uploaded, person)).toBe(expected);
  });
});

describe('userLineHash: a USER line of the record a terminal was sent hashes as that record', () => {
  const line = (p: AttSyncPerson) => {
    const r = parseOperlogLine(`USER ${userInfoCommand(p).slice('DATA UPDATE USERINFO '.length)}`, 1);
    if (typeof r === 'string' || r.kind !== 'USER') throw new Error(`not a USER line: ${String(r)}`);
    return r;
  };
  it.each([
    ['a plain record', person('7')],
    ['cards, password, verify mode, group, time periods, disabled', person('8', { cardNo: '123', viceCard: '456', password: '99', verifyMode: 4, grp: 100, tz: '0001000200000000', pri: 14, disabled: true })],
    ['first and last name', person('9', { name: 'Ann', lastName: 'Lee' })],
  ])('%s', (_, p) => {
    expect(userLineHash(line(p))).toBe(terminalUserItem(p).hash);
  });
  it('a line edited at the keypad, or one the builder would not send as it is, does not', () => {
    const p = person('10', { cardNo: '123' });
    expect(userLineHash({ ...line(p), name: 'Other' })).not.toBe(terminalUserItem(p).hash);
    expect(userLineHash({ ...line(p), card: '124' })).not.toBe(terminalUserItem(p).hash);
    expect(userLineHash({ ...line(p), pri: 2 })).not.toBe(terminalUserItem(p).hash);
    expect(userLineHash({ ...line(p), name: 'x'.repeat(70) })).toBeNull();
    expect(userLineHash({ ...line(p), pri: 3.5 })).toBeNull();
  });
});

describe('a comparison photo held (photo item hash bp9:)', () => {
  const photo = 'AAAA';
  const held = (t: AttSyncTerminal) => new Map<ItemId, string>([['user\t1', terminalMember(t, person('1'), []).get('user')!.hash], ['photo\t1', terminalMember(t, person('1', { photo }), []).get('photo')!.hash]]);
  const withPhotos: AttSyncTerminal = { ...terminal(true), bioPhoto: true };

  it('removed from a terminal that takes comparison photos: USERPIC and BIOPHOTO deleted', () => {
    expect(held(withPhotos).get('photo\t1')).toMatch(/^bp9:/);
    expect(plan(withPhotos, new Map([['1', terminalMember(withPhotos, person('1'), [])]]), held(withPhotos)).map((c) => c.command)).toEqual([
      'DATA DELETE USERPIC PIN=1',
      'DATA DELETE BIOPHOTO PIN=1',
    ]);
  });

  it('removed from one that no longer takes them (new firmware, option off): USERPIC alone, no DATA DELETE BIOPHOTO it would refuse', () => {
    const now = terminal(true);
    expect(plan(now, new Map([['1', terminalMember(now, person('1'), [])]]), held(withPhotos)).map((c) => c.command)).toEqual(['DATA DELETE USERPIC PIN=1']);
  });
});
