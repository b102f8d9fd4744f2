import { expect } from 'vitest';
import { ChannelControllerSimulator } from '../simulator/channel';
import { ElevatorControllerSimulator } from '../simulator/elevator';
import type { HttpResult, TestApp } from '../support/test-app';
import { heardFrom } from './conformance-support';

/** An elevator controller and a channel controller with levels, rights, events and counters, for the conformance files. */
export interface ElevatorPassageFixture {
  /** The controllers themselves, for a test that reads what they received. */
  ec: ElevatorControllerSimulator;
  cc: ChannelControllerSimulator;
  eleSn: string;
  psgSn: string;
  floorId: string;
  eleLevelId: string;
  eleLevelName: string;
  gateId: string;
  gateName: string;
  psgLevelId: string;
  psgLevelName: string;
  readerId: string;
  pin: string;
  /** Both controllers' heartbeat, before a call that needs them online (see heardFrom in conformance-support). */
  heard(): Promise<void>;
}

async function ok(what: string, p: Promise<HttpResult>): Promise<HttpResult> {
  const r = await p;
  expect(r.body?.code, `${what}: ${JSON.stringify(r.body).slice(0, 300)}`).toBe(0);
  return r;
}

/** Needs an active person `pin` (the base fixture's). */
export async function buildElevatorPassageFixture(t: TestApp, pin: string): Promise<ElevatorPassageFixture> {
  const ec = new ElevatorControllerSimulator({ baseUrl: t.baseUrl, sn: 'CONFEC000001', floors: 4, ipAddress: '10.9.1.1' });
  await ec.connect();
  const cc = new ChannelControllerSimulator({ baseUrl: t.baseUrl, sn: 'CONFPSG00001', gates: 1, ipAddress: '10.9.1.2' });
  await cc.connect();
  let floors: Array<{ id: string }> = [];
  for (let i = 0; i < 50 && floors.length < 4; i++) {
    floors = (await t.get('/api/floor/list', { pageNo: 1, pageSize: 10 })).body.data ?? [];
    if (floors.length < 4) await new Promise((r) => setTimeout(r, 50));
  }
  const floorId = floors[0].id;
  const gate = (await ok('gates', t.get('/api/psgGate/list', { pageNo: 1, pageSize: 10 }))).body.data[0];
  const readerId = (await ok('psg readers', t.get('/api/psgReader/list', { pageNo: 1, pageSize: 10 }))).body.data[0].id;
  const eleLevelId = (await ok('eleLevel', t.post('/api/gateway/eleLevel/save', { name: 'Lobby floors', pointIds: [floorId] }))).body.data.id;
  const psgLevelId = (await ok('psgLevel', t.post('/api/gateway/psgLevel/save', { name: 'Lobby gates', pointIds: [gate.id] }))).body.data.id;
  await ok('eleLevel/syncPerson', t.post('/api/eleLevel/syncPerson', undefined, { pin, levelIds: eleLevelId }));
  await ok('psgLevel/syncPerson', t.post('/api/psgLevel/syncPerson', undefined, { pin, levelIds: psgLevelId }));
  await ec.pollUntilIdle();
  await cc.pollUntilIdle();
  await ec.uploadRtlog([{ time: '2024-03-01 08:00:00', pin, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 4, index: 1 }]);
  await cc.uploadRtlog([{ time: '2024-03-01 08:05:00', pin, eventaddr: 1, event: 0, inoutstatus: 0, verifytype: 4, index: 1 }]);
  await cc.uploadRtstate();
  await cc.uploadIrstate();
  return { ec, cc, eleSn: ec.sn, psgSn: cc.sn, floorId, eleLevelId, eleLevelName: 'Lobby floors', gateId: gate.id, gateName: gate.name, psgLevelId, psgLevelName: 'Lobby gates', readerId, pin, heard: () => heardFrom(ec, cc) };
}

/** How to ask each elevator and entrance-control read of the manual for the fixture's data (shapes.e2e-spec). */
export function elevatorPassageCalls(t: () => TestApp, f: () => ElevatorPassageFixture, monitorFrom: number): Record<string, () => Promise<HttpResult>> {
  const page = { pageNo: 1, pageSize: 20 };
  return {
    '2.2.2': () => t().get(`/api/eleLevel/getById/${f().eleLevelId}`),
    '2.2.3': () => t().get(`/api/eleLevel/getByName/${encodeURIComponent(f().eleLevelName)}`),
    '2.2.4': () => t().get('/api/eleLevel/list', page),
    '2.2.7': () => t().get('/api/v2/eleLevel/list', page),
    '2.10.1': () => t().get('/api/eleDevice/eleList', page),
    '2.10.2': () => t().get('/api/eleDevice/getEle', { sn: f().eleSn }),
    '2.10.3': () => t().get('/api/v2/eleDevice/eleList', page),
    '2.12.1': () => t().get('/api/floor/list', page),
    '2.12.4': () => t().get('/api/v2/floor/list', page),
    '2.19.1': () => t().get('/api/eleTransaction/list', page),
    '2.19.2': () => t().get('/api/v2/eleTransaction/list', page),
    '2.30.1': () => t().get('/api/psgDevice/list', page),
    '2.30.2': () => t().get('/api/psgDevice/getBySn', { sn: f().psgSn }),
    '2.30.3': () => t().get('/api/v2/psgDevice/list', page),
    '2.31.1': () => t().get('/api/psgGate/allGateState'),
    '2.31.2': () => t().get('/api/psgGate/gateStateById', { gateId: f().gateId }),
    '2.31.3': () => t().get('/api/psgGate/gateStateBySn', { deviceSn: f().psgSn }),
    '2.31.4': () => t().get('/api/psgGate/getById', { id: f().gateId }),
    '2.31.5': () => t().get('/api/psgGate/list', page),
    '2.31.6': () => t().get('/api/v2/psgGate/list', page),
    '2.32.2': () => t().get(`/api/psgLevel/getById/${f().psgLevelId}`),
    '2.32.3': () => t().get(`/api/psgLevel/getByName/${encodeURIComponent(f().psgLevelName)}`),
    '2.32.4': () => t().get('/api/psgLevel/list', page),
    '2.32.7': () => t().get('/api/v2/psgLevel/list', page),
    '2.33.1': () => t().get('/api/psgReader/list', page),
    '2.33.2': () => t().get('/api/v2/psgReader/list', page),
    '2.33.3': () => t().get('/api/psgReader/getById', { id: f().readerId }),
    '2.34.1': () => t().get(`/api/psgTransaction/device/${f().psgSn}`, page),
    '2.34.2': () => t().get('/api/psgTransaction/list', page),
    // Events wait while any older transaction on the (shared) server runs: poll until they come.
    '2.34.3': async () => {
      let r = await t().get('/api/psgTransaction/monitor', { timestamp: monitorFrom });
      for (let i = 0; i < 100 && Array.isArray(r.body?.data) && r.body.data.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        r = await t().get('/api/psgTransaction/monitor', { timestamp: monitorFrom });
      }
      return r;
    },
    '2.34.4': () => t().get(`/api/psgTransaction/person/${f().pin}`, page),
    '2.34.5': () => t().get(`/api/v2/psgTransaction/device/${f().psgSn}`, page),
    '2.34.6': () => t().get('/api/v2/psgTransaction/list', page),
    '2.34.7': () => t().get(`/api/v2/psgTransaction/person/${f().pin}`, page),
  };
}
