import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { HepRow } from './dto/hep-response.dto';

/**
 * Which access events are temperature/mask events: the device judged a fever or a missing mask (events 68,
 * 69), measured a temperature, saw a mask, or sent a mask flag while it declared mask detection or
 * temperature screening at registration. A `maskflag=0` alone is not enough: firmware without detection
 * sends `maskflag=0 temperature=0` on every event.
 *
 * HEP_ROW is the part the event's own row decides, and the predicate of the partial index
 * ix_acc_transaction_hep_time (migration 1764800007000, the same text unqualified): only these rare rows enter
 * it, so an ordinary rtlog insert (maskflag=0 or none) pays nothing. DECLARES is the part its device decides.
 */
const HEP_ROW = `(t.event_no IN (68, 69) OR t.conv_temperature IS NOT NULL OR t.mask_flag = 1)`;
const DECLARES = `'1' IN (dv.registration->>'MaskDetectionFunOn', dv.registration->>'~MaskDetectionFunOn',
                          dv.registration->>'IRTempDetectionFunOn', dv.registration->>'~IRTempDetectionFunOn')`;
const HEP_EVENT = `(${HEP_ROW} OR (t.mask_flag IS NOT NULL AND ${DECLARES}))`;

/**
 * The event's ATTPHOTO snapshot, found by the name the device gives it (manual 7.9, 2.26's examples): the
 * event's device wall-clock time `yyyyMMddHHmmss`, then `-<pin>` for a person, then `.jpg`. The uploads are
 * kept by the PUSH ingest in device_upload (the file name is its `pin`, indexed), so the link holds whichever
 * of event and snapshot arrives first. A person's event takes the bare `<stamp>.jpg` only when no snapshot carries
 * its pin: that name is a stranger's event's of the same second.
 */
const SELECT = (tzParam: string) => `
  SELECT t.id::text AS id, t.event_time, t.pin, t.name, t.last_name, t.dept_name, t.area_name, t.card_no, t.device_sn,
         t.verify_mode_name, t.event_name, t.event_point_name, t.reader_name, t.dev_alias, t.log_id, t.event_no, t.mask_flag,
         t.conv_temperature::float8 AS celsius, ph.pin AS photo
  FROM acc_transaction t
  LEFT JOIN device dv ON dv.id = t.device_id
  LEFT JOIN LATERAL (
    SELECT u.pin FROM device_upload u, to_char(t.event_time AT TIME ZONE coalesce(dv.time_zone, ${tzParam}), 'YYYYMMDDHH24MISS') AS s(stamp)
    WHERE u.table_name = 'ATTPHOTO' AND u.device_sn = t.device_sn
      AND u.pin IN (s.stamp || '-' || coalesce(t.pin, '0') || '.jpg', s.stamp || '.jpg')
    ORDER BY u.pin = s.stamp || '-' || coalesce(t.pin, '0') || '.jpg' DESC, u.id DESC LIMIT 1) ph ON true`;

export interface HepFilter {
  pin?: string;
  deviceSn?: string;
  from?: Date;
  to?: Date;
}

@Injectable()
export class HepRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /**
   * Newest first, like the access lists. Two ordered streams, each cut at offset + limit: the events their own row
   * marks, from the partial index (a site without temperature/mask events reads an empty index, not the table),
   * and each declaring device's remaining events (`mask_flag = 0`), from the (device_sn, event_time) index. A
   * single OR of the two would read the table in time order until a page is found (the whole table when none is).
   */
  findPage(f: HepFilter, timeZone: string, offset: number, limit: number): Promise<HepRow[]> {
    const params: unknown[] = [timeZone];
    const parts: string[] = [];
    if (f.pin !== undefined) parts.push(`t.pin = $${params.push(f.pin)}`);
    if (f.deviceSn !== undefined) parts.push(`t.device_sn = $${params.push(f.deviceSn)}`);
    if (f.from) parts.push(`t.event_time >= $${params.push(f.from)}`);
    if (f.to) parts.push(`t.event_time < $${params.push(f.to)}`);
    const and = parts.map((p) => ` AND ${p}`).join('');
    const off = `$${params.push(offset)}::int`;
    const lim = `$${params.push(limit)}::int`;
    const order = 'ORDER BY t.event_time DESC, t.id DESC';
    return this.ds.query(
      `${SELECT('$1')} WHERE t.id IN (
         SELECT h.id FROM (
           (SELECT t.id, t.event_time FROM acc_transaction t WHERE ${HEP_ROW}${and} ${order} LIMIT ${off} + ${lim})
           UNION ALL
           (SELECT x.id, x.event_time FROM device dv CROSS JOIN LATERAL (
              SELECT t.id, t.event_time FROM acc_transaction t
              WHERE t.device_sn = dv.sn AND t.device_id = dv.id AND t.mask_flag = 0 AND NOT ${HEP_ROW}${and}
              ${order} LIMIT ${off} + ${lim}) x
            WHERE ${DECLARES})) h
         ORDER BY h.event_time DESC, h.id DESC OFFSET ${off} LIMIT ${lim})
       ${order}`,
      params,
    );
  }

  /** The temperature/mask events among these event ids, in the order given (the monitor's feed order). */
  findHepAmong(m: EntityManager, ids: readonly string[], timeZone: string): Promise<HepRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return m.query(`${SELECT('$2')} WHERE t.id = ANY($1::bigint[]) AND ${HEP_EVENT} ORDER BY array_position($1::bigint[], t.id)`, [ids, timeZone]);
  }

  /** The snapshot bytes (base64 as uploaded) of one device's ATTPHOTO file. */
  async findSnapshot(sn: string, fileName: string): Promise<string | undefined> {
    const [row] = await this.ds.query(
      `SELECT record->>'photo' AS photo FROM device_upload WHERE table_name = 'ATTPHOTO' AND pin = $1 AND device_sn = $2 ORDER BY id DESC LIMIT 1`,
      [fileName, sn],
    );
    return row?.photo ?? undefined;
  }
}
