import type { EntityManager } from 'typeorm';
import { pinValueSql } from './pin-value';

/**
 * The punches (att_transaction) and access events (acc_transaction) a device keeping numeric PINs recorded under the
 * number of a digit pin before any person held it, given to the persons `personIds` now that one does: terminal
 * user 412 is person 0412 (the device was or will be sent 0412 and keeps 412), as the ingest reads such a line once
 * the person exists (devicePersonJoinSql). Stored under 412 with no person, they were never listed for 0412 (a pin
 * filter matches the pin as stored). Each takes the person's pin, id, names and department, as if ingested now; the
 * punch key (unique_key) keeps the device's pin, so the line sent again still adds nothing. Only records of no person:
 * one a person was named in keeps that person (a deleted person's records stay theirs). A device announcing string
 * PINs keeps what it was sent: its 412 is no one else's. Two index probes per table (ix_*_transaction_pin_time)
 * for the whole batch.
 */
export async function linkNumberedRecords(m: EntityManager, personIds: readonly string[]): Promise<void> {
  if (personIds.length === 0) return;
  const persons = `SELECT p.id, p.pin, p.name, p.last_name, p.card_no, ${pinValueSql('p.pin')} AS number, dp.code AS dept_code, dp.name AS dept_name
      FROM person p LEFT JOIN department dp ON dp.id = p.dept_id
     WHERE p.id = ANY($1::char(32)[]) AND p.pin ~ '^0+[1-9][0-9]*$'`;
  const numbered = (t: string) => `${t}.person_id IS NULL AND ${t}.pin = x.number
     AND NOT EXISTS (SELECT 1 FROM device d WHERE d.id = ${t}.device_id AND d.capabilities->'dialect'->>'pin' = 'string')`;
  await m.query(
    `WITH x AS (${persons})
     UPDATE att_transaction t SET pin = x.pin, person_id = x.id, name = x.name, last_name = x.last_name, dept_code = x.dept_code,
            dept_name = x.dept_name, card_no = x.card_no
       FROM x WHERE ${numbered('t')}`,
    [personIds],
  );
  // An access event's card is the one the reader read, not the person's.
  await m.query(
    `WITH x AS (${persons})
     UPDATE acc_transaction t SET pin = x.pin, person_id = x.id, name = x.name, last_name = x.last_name, dept_code = x.dept_code, dept_name = x.dept_name
       FROM x WHERE ${numbered('t')}`,
    [personIds],
  );
}
