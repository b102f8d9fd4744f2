/**
 * What tells a panel's record from another that carries the same index and time.
 *
 * An access event is keyed `<SN>_<index>_<time>` (rtlogEventKey): a re-sent upload (its reply lost) and a re-uploaded
 * `transaction` table bring the same index and time, and are stored once. The manual says only that an index is unique
 * in the device (7.2, 9.1.4): a panel that is factory-reset (event 6016) or whose numbering restarts numbers its
 * records from 1 again, and a panel whose clock is not set yet (a first install, a reset that restored its default
 * date) stamps them with that same default time. Such a record, new, meets a stored one's key. What the panel records
 * of the event itself tells the two apart: a record sent again keeps its pin, card, event, door and in/out; a new one
 * under the same index and time differs in one of them (the reset's own 6016 from the swipe first numbered 1, one
 * person from another). So a record whose key is held by a stored event of other content is stored under that key
 * with its content appended (rekeyed); one of the same content is the same event.
 *
 * Only what rtlog and the `transaction` table both carry, read the same way, is compared, so a record received both
 * ways stays one event: not the verify mode (rtlog may send it as a NewVFStyles bit string, the table as a number) nor
 * the temperatures. Two records alike in all of these under one index and time cannot be told apart from one sent
 * again, and are one event.
 *
 * Old events keep their keys: the plain key stays the first record's, so only a colliding record's key changes form.
 */
import { clip } from './device-registry.service';
import { int32 } from '../common/whole-number';
import type { RtlogEvent } from './protocol';
import { listOf, tableOf } from '../database/columns';
import { AccTransaction } from '../transaction/acc-transaction.entity';
import { MODULE_TRANSACTION } from '../elevator/module-tables';


/** An event's content as stored (acc_transaction's pin, card_no, door_no, reader_state, event_no). */
export interface EventContent {
  pin: string | null;
  card: string | null;
  doorNo: number | null;
  inOut: number | null;
  event: number;
}

/** The content of a parsed event, as its row stores it. */
export function eventContent(e: RtlogEvent): EventContent {
  return { pin: clip(e.personPin, 64), card: clip(e.cardNo, 64), doorNo: int32(e.eventAddr), inOut: int32(e.inOutStatus), event: e.event };
}

const text = (v: string | number | null) => (v === null ? '' : String(v));

/** The content as one string, for comparing and for a rekeyed key. */
export function contentText(c: EventContent): string {
  return `${text(c.pin)}_${text(c.card)}_${c.event}_${text(c.doorNo)}_${text(c.inOut)}`;
}

/** The key of a record whose plain key is held by another event: the plain key, then its content. */
export function rekeyed(key: string, c: EventContent): string {
  return clip(`${key}_${contentText(c)}`, 200)!;
}

/** The stored events' contents under some keys ($1, text[]). */
export const STORED_CONTENT_SQL = `SELECT ${listOf(AccTransaction, ['uniqueKey', 'pin', 'cardNo', 'doorNo', 'readerState', 'eventNo'])}
  FROM ${tableOf(AccTransaction)} WHERE ${listOf(AccTransaction, ['uniqueKey'])} = ANY($1::text[])`;

/**
 * The same for an elevator or channel controller's events ($1 keys, $2 module): module_transaction keeps the same
 * columns (door_no the floor or gate), keyed per module.
 */
export const MODULE_STORED_CONTENT_SQL = `SELECT ${listOf(MODULE_TRANSACTION, ['uniqueKey', 'pin', 'cardNo', 'doorNo', 'readerState', 'eventNo'])}
  FROM ${tableOf(MODULE_TRANSACTION)} WHERE ${listOf(MODULE_TRANSACTION, ['uniqueKey'])} = ANY($1::text[]) AND ${listOf(MODULE_TRANSACTION, ['module'])} = $2`;

export interface StoredContentRow {
  unique_key: string;
  pin: string | null;
  card_no: string | null;
  door_no: number | null;
  reader_state: number | null;
  event_no: number;
}

/** STORED_CONTENT_SQL's answer as key → content text. */
export function storedContents(rows: readonly StoredContentRow[]): Map<string, string> {
  return new Map(rows.map((r) => [r.unique_key, contentText({ pin: r.pin, card: r.card_no, doorNo: r.door_no, inOut: r.reader_state, event: Number(r.event_no) })]));
}

/**
 * Whether a record under `key` with content `c` is held already: its key holds an event of the same content, or its
 * rekeyed key is held (a colliding record stored before). `held` maps keys to stored contents (storedContents), read
 * for both keys.
 */
export function heldAlready(held: ReadonlyMap<string, string>, key: string, c: EventContent): boolean {
  const plain = held.get(key);
  if (plain === undefined) return false;
  return plain === contentText(c) || held.has(rekeyed(key, c));
}

/** A record as a statement stores it: its key, whether that key is the panel's index and time, and its content. */
export interface KeyedRecord extends EventContent {
  key: string;
  /** Keyed by the panel's index (and time), which restarts after a reset. Absent: keyed otherwise. */
  indexed?: boolean;
}

/**
 * The records a statement did not store (`inserted`: the keys it stored) that are new all the same: indexed, and
 * their key held by an event of other content (a panel whose numbering and clock started again). Each is returned
 * with its position in `records`, to be stored again under its rekeyed key (that statement's conflict check keeps
 * a colliding record sent again to one). `contentsOf` reads the stored contents (storedContents) of some keys; it
 * is called only when some indexed record was not stored, so a batch that stores every record costs nothing more.
 */
export async function collidingRecords<T extends KeyedRecord>(
  records: readonly T[],
  inserted: ReadonlySet<string>,
  contentsOf: (keys: string[]) => Promise<ReadonlyMap<string, string>>,
): Promise<Array<{ at: number; record: T }>> {
  const claimed = new Set<string>();
  const held: number[] = [];
  records.forEach((r, i) => {
    // The first record of an inserted key is the one stored; a later one in the batch met it.
    if (inserted.has(r.key) && !claimed.has(r.key)) claimed.add(r.key);
    else if (r.indexed) held.push(i);
  });
  if (held.length === 0) return [];
  const stored = await contentsOf([...new Set(held.map((i) => records[i].key))]);
  const out: Array<{ at: number; record: T }> = [];
  for (const i of held) {
    const content = stored.get(records[i].key);
    if (content === undefined || content === contentText(records[i])) continue;
    out.push({ at: i, record: { ...records[i], key: rekeyed(records[i].key, records[i]), indexed: false } });
  }
  return out;
}
