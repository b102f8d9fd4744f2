import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSpecJson } from '../fixtures/spec-files';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * What a Security PUSH device says of itself in its uploaded parameters (`table=options`, manual 4.6 and Appendix
 * 20: `~DeviceName`, `IPAddress`, `FWVersion`, `PushVersion`) is what the device lists and the gateway's device
 * answer show where its registration said nothing of it: real registration bodies are often short (field samples
 * reg-c3-100pro-acc, reg-speedface-v5l-zam230-fragment). A registration that does not name one of them leaves what
 * is known; one that does wins, and a firmware a registration does not name is no new firmware.
 */
const samples = new Map(readSpecJson<{ samples: Array<{ id: string; request: { body: string } }> }>('field-samples.json').samples.map((s) => [s.id, s.request]));
const vectors = new Map(readSpecJson<{ vectors: Array<{ id: string; request: { body: string } }> }>('push-vectors.json').vectors.map((v) => [v.id, v.request]));
const C3_REGISTRY = samples.get('reg-c3-100pro-acc')!.body;
const V5L_REGISTRY = samples.get('reg-speedface-v5l-zam230-fragment')!.body;
const V5L_OPTIONS = samples.get('opt-speedface-v5l-zam180')!.body;
const OPTIONS_4_6 = vectors.get('4.6-upload-options')!.body;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ logLevel: 'error' } as never);
});
afterAll(async () => {
  await t?.close();
});

/** One device request as firmware sends it: raw text, `text/plain`, the answer's status and body. */
async function device(path: string, body: string): Promise<[number, string]> {
  const res = await fetch(`${t.baseUrl}${path}`, { method: 'POST', body, headers: { 'Content-Type': 'text/plain' } });
  return [res.status, await res.text()];
}

const info = async (sn: string) => (await t.get(`/api/gateway/devices/${sn}`)).body.data as { ipAddress: string | null; type: string | null; firmVer: string | null; pushVersion: string | null };
const listed = async (sn: string) => ((await t.get('/api/device/accList', { pageNo: 1, pageSize: 50 })).body.data as Array<{ sn: string; type: string | null }>).find((d) => d.sn === sn);

describe('a panel whose registration is short', () => {
  it('C3-100Pro: the IP address and PushVersion of its parameters are shown; its registration keeps its model and firmware', async () => {
    expect((await device('/iclock/registry/?SN=OPTC3PRO01', C3_REGISTRY))[1]).toMatch(/^RegistryCode=/);
    expect(await info('OPTC3PRO01')).toMatchObject({ ipAddress: null, type: 'C3-100Pro', firmVer: 'AC Ver 4.7.8.3033 Aug 14 2023', pushVersion: null });

    expect(await device('/iclock/cdata?SN=OPTC3PRO01&table=options', OPTIONS_4_6)).toEqual([200, 'OK']);
    expect(await info('OPTC3PRO01')).toMatchObject({ ipAddress: '192.168.52.71', type: 'C3-100Pro', firmVer: 'AC Ver 4.7.8.3033 Aug 14 2023', pushVersion: 'Ver 2.0.34-20180822' });

    // It registers again (at every connection) with the same short body: what its parameters said stays.
    expect((await device('/iclock/registry/?SN=OPTC3PRO01', C3_REGISTRY))[1]).toMatch(/^RegistryCode=/);
    expect(await info('OPTC3PRO01')).toMatchObject({ ipAddress: '192.168.52.71', type: 'C3-100Pro', firmVer: 'AC Ver 4.7.8.3033 Aug 14 2023', pushVersion: 'Ver 2.0.34-20180822' });
  });

  it('SpeedFace-V5L registered with DeviceType, FirmVer and PushVersion only: its model comes from ~DeviceName, not "acc"', async () => {
    expect((await device('/iclock/registry?SN=OPTV5L0001', V5L_REGISTRY))[1]).toMatch(/^RegistryCode=/);
    expect(await listed('OPTV5L0001')).toMatchObject({ type: 'acc' });
    expect(await device('/iclock/cdata?SN=OPTV5L0001&table=options', V5L_OPTIONS)).toEqual([200, 'OK']);
    expect(await listed('OPTV5L0001')).toMatchObject({ type: 'SpeedFace-V5L' });
    expect(await info('OPTV5L0001')).toMatchObject({ ipAddress: '192.168.1.59', firmVer: 'ZAM230-NF50VA-Ver1.1.9', pushVersion: 'Ver 3.1.6S-20251028' });
    expect((await device('/iclock/registry?SN=OPTV5L0001', V5L_REGISTRY))[1]).toMatch(/^RegistryCode=/);
    expect(await listed('OPTV5L0001')).toMatchObject({ type: 'SpeedFace-V5L' });
  });

  it('a registration naming its IP address wins over the one known; one without FirmVer forgets no refusal', async () => {
    const sn = 'OPTNOFW001';
    expect((await device(`/iclock/registry?SN=${sn}`, 'DeviceType=acc,~DeviceName=inBIO160,LockCount=1,IPAddress=10.4.0.1'))[1]).toMatch(/^RegistryCode=/);
    expect(await device(`/iclock/cdata?SN=${sn}&table=options`, 'IPAddress=10.4.0.2,FWVersion=AC Ver 5.7.8.3033 Jan 1 2024')).toEqual([200, 'OK']);
    expect(await info(sn)).toMatchObject({ ipAddress: '10.4.0.2', firmVer: 'AC Ver 5.7.8.3033 Jan 1 2024' });
    const [{ id }] = await t.ds.query(`SELECT id FROM device WHERE sn = $1`, [sn]);
    await t.ds.query(`INSERT INTO device_refusal (device_id, what, return_code, refusals, command, first_at, last_at) VALUES ($1, 'table:extuser', -1004, 1, 'DATA UPDATE extuser', now(), now())`, [id]);
    expect((await device(`/iclock/registry?SN=${sn}`, 'DeviceType=acc,~DeviceName=inBIO160,LockCount=1,IPAddress=10.4.0.3'))[1]).toMatch(/^RegistryCode=/);
    expect(await info(sn)).toMatchObject({ ipAddress: '10.4.0.3', firmVer: 'AC Ver 5.7.8.3033 Jan 1 2024' });
    expect(await t.ds.query(`SELECT what FROM device_refusal WHERE device_id = $1`, [id])).toEqual([{ what: 'table:extuser' }]);
  });
});

describe('a comma list that ends in a comma (4.6 prints `Parm1=${XXX}, Parm2=${XXX}, ... Parm3=${XXX},`)', () => {
  it('registration: the last value keeps no comma, so the device and its doors are named by its IP address', async () => {
    const sn = 'OPTCOMMA01';
    expect((await device(`/iclock/registry?SN=${sn}`, 'DeviceType=acc,~DeviceName=inBIO260,LockCount=2,IPAddress=10.6.0.3,\r\n'))[1]).toMatch(/^RegistryCode=/);
    expect(await info(sn)).toMatchObject({ ipAddress: '10.6.0.3', type: 'inBIO260' });
    expect(((await t.get('/api/device/accList', { pageNo: 1, pageSize: 50 })).body.data as Array<{ sn: string; name: string }>).find((d) => d.sn === sn)).toMatchObject({ name: '10.6.0.3' });
    const doors = (await t.get('/api/door/list', { pageNo: 1, pageSize: 50 })).body.data as Array<{ name: string }>;
    expect(doors.map((d) => d.name).filter((n) => n.startsWith('10.6.0.3'))).toEqual(['10.6.0.3-1', '10.6.0.3-2']);
  });

  it('options in the printed form (", " between, "," at the end): each value as sent', async () => {
    const sn = 'OPTCOMMA01';
    expect(await device(`/iclock/cdata?SN=${sn}&table=options`, 'IPAddress=10.6.0.4, FWVersion=AC Ver 4.7.8.3033 Aug 14 2023, UserCount=7,')).toEqual([200, 'OK']);
    expect(await info(sn)).toMatchObject({ ipAddress: '10.6.0.4', firmVer: 'AC Ver 4.7.8.3033 Aug 14 2023' });
    const options = (await t.get(`/api/gateway/devices/${sn}/options`)).body.data as Array<{ name: string; value: string }>;
    expect(options.map((o) => [o.name, o.value])).toEqual([['FWVersion', 'AC Ver 4.7.8.3033 Aug 14 2023'], ['IPAddress', '10.6.0.4'], ['UserCount', '7']]);
  });
});
