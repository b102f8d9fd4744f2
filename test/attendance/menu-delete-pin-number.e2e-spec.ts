/**
 * A terminal keeping numeric PINs was sent person 08803 as PIN=08803 and names that user 8803 in its OPERLOG: an
 * `OPLOG 9` (user deleted at its menu) of 8803 is person 08803's user lost there, sent back at once as for any pin.
 */
import { expect, it } from 'vitest';
import type { SyncReconciler } from '../../src/sync/sync-reconciler.service';
import type { TestApp } from '../support/test-app';
import { initialisedTerminal, settleTerminal, useAttendanceApp } from './attendance-helpers';

let t: TestApp;
let reconciler: SyncReconciler;
useAttendanceApp({}, (app) => ({ t, reconciler } = app));

const wallNow = () => {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
};

it('OPLOG 9 of 8803 from a numeric-PIN terminal: person 08803’s user is sent back, the terminal is not said synced without it', async () => {
  const sn = 'ATT-MENU-NUM';
  expect((await t.post('/api/gateway/areas', { code: sn, name: sn })).body.code).toBe(0);
  const term = await initialisedTerminal(t, { sn });
  expect((await t.put(`/api/gateway/devices/${sn}/area`, { areaCode: sn })).body.code).toBe(0);
  expect((await t.post('/api/person/add', { pin: '08803', name: 'Menu', cardNo: '880377' })).body.code).toBe(0);
  expect((await t.post('/api/attAreaPerson/set', { code: sn, pins: ['08803'] })).body.code).toBe(0);
  await settleTerminal(reconciler, term);
  expect(term.users.get('08803')?.card).toBe('880377');
  expect(term.deleteUserLocally('08803')).toBe(true);
  expect((await term.uploadOperlog([`OPLOG 9\t0\t${wallNow()}\t8803\t0\t0\t0`])).body).toBe('OK: 1');
  await settleTerminal(reconciler, term);
  expect(term.users.get('08803')?.card).toBe('880377');
  expect((await t.get(`/api/gateway/devices/${sn}/convergence`)).body.data).toMatchObject({ divergent: false, pendingCommands: 0 });
});
