/**
 * An OPERLOG upload of an enrolment at a terminal's keypad (OPLOG, then the USER line) cut mid-body inside the USER
 * line's PIN (`USER PIN=94` of `USER PIN=9402\tName=Ann…`), then sent again whole, as the terminal does with an
 * upload it holds unconfirmed. The cut line names a person the terminal never enrolled: taken as an enrolment, a
 * person 94 appeared in the database (person/get found them) and was put on the terminals of the area. The body's last
 * line, when the body ends inside it right after the PIN (a USER line always goes on with the user's fields), is a cut:
 * refused (kept raw as refused, and acknowledged, as any refused line); the whole upload enrols 9402 alone. A USER
 * line with the PIN alone that ends with its line is read as before.
 */
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
useAttendanceApp({}, (app) => ({ t } = app));

const personOf = async (pin: string) => (await t.get(`/api/person/get/${pin}`)).body.data as { pin: string; name: string } | null;

describe('an OPERLOG enrolment cut inside the USER line\'s PIN, then sent again whole', () => {
  it('enrols the one person the whole line names, and no person by the cut PIN', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-CUT-USER' });
    const oplog = 'OPLOG 6\t0\t2026-11-27 17:01:35\t9402\t0\t0\t0';
    const user = 'USER PIN=9402\tName=Ann\tPri=0\tPasswd=\tCard=\tGrp=1\tTZ=0000000000000000\tVerify=-1\tViceCard=';
    expect((await term.uploadRaw('OPERLOG', `${oplog}\r\nUSER PIN=94`)).status).toBe(200);
    expect((await term.uploadRaw('OPERLOG', `${oplog}\r\n${user}\r\n`)).status).toBe(200);
    expect(await personOf('9402')).toMatchObject({ pin: '9402', name: 'Ann' });
    expect(await personOf('94')).toBeNull();
  });

  it('a USER line with the PIN alone that ends with its line is still an enrolment', async () => {
    const term = await initialisedTerminal(t, { sn: 'ATT-CUT-USER-WHOLE' });
    expect((await term.uploadRaw('OPERLOG', 'USER PIN=9403\n')).status).toBe(200);
    expect(await personOf('9403')).toMatchObject({ pin: '9403' });
  });
});
