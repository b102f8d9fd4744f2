import { describe, expect, it } from 'vitest';
import type { BatchClient } from '../database/group-commit';
import { EventNamesCache, foldEventNames, type EventNamesRow } from './event-names';
import { flushRealtime, PushTargetsSeen, REALTIME_EVENTS_SQL, REALTIME_JOIN_EVENTS_SQL, REALTIME_JOIN_SQL, REALTIME_SQL, type RealtimeItem } from './rtlog-ingest.service';

const row = (over: Partial<EventNamesRow>): EventNamesRow => ({
  version: '7', device_id: 'd1', sn: 'SN1', alias: 'Panel', area_name: 'Area', door_no: null, door_id: null, door_name: null,
  in_out: null, reader_id: null, reader_name: null, ...over,
});

describe('event names', () => {
  it('fold a device with its doors and readers; a door without readers; the version row alone', () => {
    const { version, devices } = foldEventNames([
      row({ door_no: 1, door_id: 'door1', door_name: 'Front', in_out: 0, reader_id: 'r10', reader_name: 'Front-In' }),
      row({ door_no: 1, door_id: 'door1', door_name: 'Front', in_out: 1, reader_id: 'r11', reader_name: 'Front-Out' }),
      row({ door_no: 2, door_id: 'door2', door_name: 'Back' }),
      row({ device_id: 'd2', sn: 'SN2', alias: 'Other', area_name: null }),
    ]);
    expect(version).toBe('7');
    const d1 = devices.get('d1')!;
    expect(d1).toMatchObject({ sn: 'SN1', alias: 'Panel', areaName: 'Area' });
    expect(d1.doors.get(1)!.readers.get(1)).toEqual({ id: 'r11', name: 'Front-Out' });
    expect(d1.doors.get(2)).toEqual({ id: 'door2', name: 'Back', readers: new Map() });
    expect(devices.get('d2')!.doors.size).toBe(0);
    expect(foldEventNames([row({ version: '9', device_id: null, sn: null, alias: null, area_name: null })])).toEqual({ version: '9', devices: new Map() });
  });

  it('cache: a load at a new version drops what an older one loaded; a device missing from a load is absent', () => {
    const c = new EventNamesCache();
    expect(c.version).toBeNull();
    c.accept(['d1', 'gone'], foldEventNames([row({})]));
    expect(c.get('d1')?.sn).toBe('SN1');
    expect(c.get('gone')).toBeNull();
    expect(c.missing(['d1', 'gone', 'd3'])).toEqual(['d3']);
    c.accept(['d3'], foldEventNames([row({ version: '8', device_id: 'd3', sn: 'SN3' })]));
    expect(c.version).toBe('8');
    expect(c.get('d1')).toBeUndefined();
    expect(c.missing(['d1', 'd3'])).toEqual(['d1']);
    c.invalidate();
    expect([c.version, c.get('d3')]).toEqual([null, undefined]);
  });
});

/** A database stub: names at version `v` for d1, the statement answers stale while `stale` > 0. */
function stubDb(opts: { stale: number; v?: string }) {
  const calls: Array<{ name: string; text: string; values: unknown[] }> = [];
  let stale = opts.stale;
  const db: BatchClient = {
    async query<R>(name: string, text: string, values: unknown[]): Promise<R[]> {
      calls.push({ name, text, values });
      if (name === 'cvgw_event_names') return [row({ version: opts.v ?? '7', door_no: 1, door_id: 'door1', door_name: 'Front', in_out: 0, reader_id: 'r10', reader_name: 'Front-In' })] as R[];
      if ((text === REALTIME_SQL || text === REALTIME_EVENTS_SQL) && stale-- > 0) return [{ unique_key: null, device_id: null, n: -1 }] as R[];
      return [{ unique_key: 'k1', device_id: null, n: 0 }] as R[];
    },
  };
  return { db, calls };
}

const items: RealtimeItem[] = [
  {
    deviceId: 'd1',
    doors: [],
    events: [{ key: 'k1', logId: 1, at: '2026-01-01T00:00:00.000Z', pin: null, card: null, doorNo: 1, inOut: 0, event: 0, eventName: 'x', level: 0, verifyNo: 1, verifyName: 'y', temperature: null, maskFlag: null, convTemperature: null }],
  },
];

/** `items` as the statement's one array-of-rows parameter (pg-array.ts recordArray), with d1's names. */
const EVENT_ROWS = '{"(\\"d1\\",\\"k1\\",1,\\"2026-01-01T00:00:00.000Z\\",,,1,0,0,\\"x\\",0,1,\\"y\\",,,,\\"SN1\\",\\"Panel\\",\\"Area\\",\\"door1\\",\\"Front\\",\\"r10\\",\\"Front-In\\")"}';

/**
 * flushRealtime with a hint of its own that no Push Center target is enabled: the process-wide one is shared by every
 * test file of a worker (isolate: false), and a file before this one that enabled a target leaves it set.
 */
const flush = (db: BatchClient, batch: readonly RealtimeItem[], cache: EventNamesCache) => flushRealtime(db, batch, cache, new PushTargetsSeen());

describe('flushRealtime and the names version', () => {
  it('loads the names once, then passes them with their version', async () => {
    const cache = new EventNamesCache();
    const { db, calls } = stubDb({ stale: 0 });
    expect(await flush(db, items, cache)).toEqual([{ events: 1, doors: 0 }]);
    expect(await flush(db, items, cache)).toEqual([{ events: 1, doors: 0 }]);
    expect(calls.map((c) => c.name)).toEqual(['cvgw_event_names', 'cvgw_realtime_events', 'cvgw_realtime_events']);
    // One parameter of event rows (the device-side names at the row's end), then the names' version.
    const params = calls[1].values as string[];
    expect(params).toEqual([EVENT_ROWS, '7']);
  });

  it('loads the names again and repeats a statement that found them changed', async () => {
    const cache = new EventNamesCache();
    const { db, calls } = stubDb({ stale: 1 });
    expect(await flush(db, items, cache)).toEqual([{ events: 1, doors: 0 }]);
    expect(calls.map((c) => c.name)).toEqual(['cvgw_event_names', 'cvgw_realtime_events', 'cvgw_event_names', 'cvgw_realtime_events']);
  });

  it('joins the names itself when they keep changing', async () => {
    const cache = new EventNamesCache();
    const { db, calls } = stubDb({ stale: 99 });
    expect(await flush(db, items, cache)).toEqual([{ events: 1, doors: 0 }]);
    expect(calls.at(-1)!.text).toBe(REALTIME_JOIN_EVENTS_SQL);
    // The rows without names (the statement joins them) and no version.
    expect(calls.at(-1)!.values).toEqual([EVENT_ROWS.replace(/,\\"SN1\\".*\)/, ',,,,,,,)')]);
  });

  it('a batch with door states runs the statement that updates doors, their arrays after the names', async () => {
    const cache = new EventNamesCache();
    const { db, calls } = stubDb({ stale: 0 });
    const withDoor = [{ ...items[0], doors: [{ door: 1, sensor: 2, relay: 1, alarm: null, at: Date.UTC(2026, 0, 1) }] }];
    await flush(db, withDoor, cache);
    expect(calls.at(-1)!.text).toBe(REALTIME_SQL);
    expect((calls.at(-1)!.values as string[]).slice(1)).toEqual(['7', '{"d1"}', '{1}', '{2}', '{1}', '{NULL}', '{"2026-01-01T00:00:00.000Z"}']);
    const joined = stubDb({ stale: 99 });
    await flush(joined.db, withDoor, new EventNamesCache());
    expect(joined.calls.at(-1)!.text).toBe(REALTIME_JOIN_SQL);
    expect(joined.calls.at(-1)!.values).toHaveLength(7);
  });

  it('leaves out the events of a device that does not exist (as the join does)', async () => {
    const cache = new EventNamesCache();
    const { db, calls } = stubDb({ stale: 0 });
    const none = [{ ...items[0], deviceId: 'nobody' }];
    await flush(db, none, cache);
    expect((calls.at(-1)!.values as string[])[0]).toBe('{}');
  });
});
