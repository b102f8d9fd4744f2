/**
 * An ATTPHOTO upload (attendance manual 11.3) cut mid-body (the terminal's power or link gone mid-upload, a body
 * clipped at its size limit) and then sent again whole, as the terminal does with an upload it holds unconfirmed: the
 * cut one brings the header and part of the photo's base64, the whole one the same file name and all of it. The
 * terminal's photos (GET /api/gateway/attendance/terminals/{sn}/photos) list the photo once, whole: not the cut copy (nor its
 * base64 text taken for the photo's bytes). A cut copy sent after the whole one changes nothing.
 */
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
useAttendanceApp({}, (app) => ({ t } = app));

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(Array.from({ length: 300 }, (_, i) => i % 251)), Buffer.from([0xff, 0xd9])]);
const BASE64 = JPEG.toString('base64');

let stamp = 0;
const upload = async (sn: string, fileName: string, data: string) => {
  const body = Buffer.from(`PIN=${fileName}\nSN=${sn}\nsize=${JPEG.length}\nCMD=uploadphoto\0${data}`, 'latin1');
  const res = await fetch(`${t.baseUrl}/iclock/cdata?SN=${sn}&table=ATTPHOTO&Stamp=${++stamp}`, { method: 'POST', body, headers: { 'Content-Type': 'application/push;charset=UTF-8' } });
  return { status: res.status, body: await res.text() };
};
const photosOf = async (sn: string) => ((await t.get(`/api/gateway/attendance/terminals/${sn}/photos`)).body.data as Array<{ fileName: string; pin: string; photoBase64: string }>).map((p) => ({ fileName: p.fileName, pin: p.pin, photoBase64: p.photoBase64 }));

describe('an ATTPHOTO upload cut mid-body, then sent again whole', () => {
  it.each([
    ['on a base64 group', 200],
    ['inside a base64 group', 101],
    ['two characters into a group', 102],
  ])('cut %s: the photo is listed once, whole', async (_, cutAt) => {
    const sn = `ATT-CUTPIC-${cutAt}`;
    await initialisedTerminal(t, { sn });
    const fileName = '20261127170100-9302.jpg';
    expect(await upload(sn, fileName, BASE64.slice(0, cutAt))).toEqual({ status: 200, body: 'OK' });
    expect(await upload(sn, fileName, BASE64)).toEqual({ status: 200, body: 'OK' });
    const whole = [{ fileName, pin: '9302', photoBase64: BASE64 }];
    expect(await photosOf(sn)).toEqual(whole);
    // The cut copy again (a stale retry): the whole photo stays.
    expect(await upload(sn, fileName, BASE64.slice(0, cutAt))).toEqual({ status: 200, body: 'OK' });
    expect(await photosOf(sn)).toEqual(whole);
  });
});
