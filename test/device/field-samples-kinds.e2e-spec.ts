import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSpecJson } from '../fixtures/spec-files';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Every field sample (shared/spec/field-samples.json) that shows a request, replayed through HTTP in the file's order
 * as the device sent it (a placeholder SN replaced by one of its own), and each device then checked for the kind its
 * traffic decides: a Security PUSH registration is an access panel (none of the samples is an elevator or channel
 * controller), an Attendance PUSH initialisation, ATTLOG / OPERLOG upload or INFO poll a terminal. A device first
 * seen on a request that decides nothing (a bare poll, a command result, an options upload) is not judged here. Its
 * options are kept whole: the capacity a parameters upload reports is the device's.
 */
interface Sample {
  id: string;
  kind: string;
  request: { method: string | null; path: string | null; query: string | null; headers: Record<string, string> | null; body: string | null } | null;
}
const samples = readSpecJson<{ samples: Sample[] }>('field-samples.json').samples;

/** sample id → the kind the device it came from is after it (only samples whose traffic decides it). */
const DECIDED: Record<string, 'acc' | 'att'> = {
  'reg-senseface2a-acc': 'acc',
  'reg-c3-100pro-acc': 'acc',
  'reg-speedface-v5l-rfid-ti-acc': 'acc',
  'reg-bioface-a1-manual-copy': 'acc',
  'reg-speedface-v5l-zam230-fragment': 'acc',
  'hs-bock-middle-east': 'att',
  'hs-biopro-sa40-middle-east': 'att',
  'hs-speedface-v5l-zam230-att': 'att',
  'rtlog-senseface2a-punch': 'acc',
  'up-attlog-bock-trailing-tab': 'att',
  'up-operlog-bock-oplog-fp': 'att',
  'up-user-senseface2a-tabledata': 'acc',
  'up-operlog-user-biopro': 'att',
  'hdr-mac-header-biopro': 'att',
  'other-zam70-capitalbrix': 'att',
  'getrequest-info-v5l-zam180': 'att',
};

let t: TestApp;
const snOf = new Map<string, string>();
beforeAll(async () => {
  t = await startTestApp({ logLevel: 'error' } as never);
  let n = 0;
  for (const s of samples) {
    const r = s.request;
    if (!r?.method || !r.path || s.kind === 'return-code') continue;
    let query = (r.query ?? '').replace(/SN=<[^>]*>&?/, '');
    if (!/(^|&)SN=[^&<]/.test(query)) query = `SN=FSK${String(++n).padStart(4, '0')}${query ? `&${query}` : ''}`;
    query = query.replace(/<[^>]*>/g, '1');
    snOf.set(s.id, /(?:^|&)SN=([^&]+)/.exec(query)![1]);
    const res = await fetch(`${t.baseUrl}${r.path}?${query}`, { method: r.method, body: r.method === 'GET' ? undefined : (r.body ?? ''), headers: r.headers ?? {} });
    expect([s.id, res.status]).toEqual([s.id, 200]);
  }
});
afterAll(async () => {
  await t?.close();
});

describe('field samples: the kind each device is registered as', () => {
  it.each(Object.entries(DECIDED))('%s -> %s', async (id, kind) => {
    const sn = snOf.get(id)!;
    expect((await t.get(`/api/gateway/devices/${encodeURIComponent(sn)}`)).body.data).toMatchObject({ sn, kind });
  });

  it("an options upload's capacity is the device's (opt-senseface2a-zam70-3312, ~MaxPvCount= empty)", async () => {
    const sn = snOf.get('opt-senseface2a-zam70-3312')!;
    expect((await t.get(`/api/gateway/devices/${sn}`)).body.data.capacity).toEqual({
      maxUserCount: 30,
      maxAttLogCount: 15,
      maxFingerCount: 30,
      maxFaceCount: 1500,
      maxUserPhotoCount: 3000,
      userCount: 2,
      transactionCount: 4,
      fingerCount: 1,
      faceCount: 1,
    });
  });
});
