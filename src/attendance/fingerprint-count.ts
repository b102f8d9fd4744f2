import type { EntityManager } from 'typeorm';
import { bioSlotHashes } from '../sync/attendance-commands';

/** A fingerprint's slot in a bio hash: a BIODATA Type 1 template (`1.<No>`) or a FINGERTMP finger (`F1.<FID>`). */
const FINGER_SLOT = /^F?1\./;

/** What judging a terminal's fingerprint count did. */
export type FingerprintVerdict =
  /** Nothing: the count agrees, is above, cannot be believed, or the confirmed sets are in doubt. */
  | { resent: false; distrusted?: boolean }
  /** Its confirmed fingerprint slots were forgotten (`sets` of them): the plan sends them again. */
  | { resent: true; sets: number; confirmed: number };

/**
 * A terminal's fingerprint count (INFO value 3, or `FPCount=` of the INFO command's result), judged with its user count
 * (AttendanceHooks.countReported: nothing of ours in flight or owed) against the fingerprint slots of the template sets
 * it confirmed. Fingerprints deleted at its menu, a partial wipe or a swapped fingerprint module leave it holding fewer
 * than the gateway believes, and a confirmed set is never sent again by itself.
 *
 * - Equal (and some confirmed): the count is believed from now on (att_terminal.fp_count_trusted). Firmware that
 *   reports 0 or a meaningless count whatever it holds never gets there, so it is never sent anything on its count.
 * - Fewer, the count believed: which fingers went no count tells, so the fingerprint slots of every set it confirmed
 *   are forgotten (the rest of each set, its faces, stays held) and the plan sends those fingers again, nothing else.
 *   The caller owes another count, judged once they landed (att_terminal.fp_resent).
 * - Fewer again at that count (the terminal answered the fingers and kept none of them: a module refusing silently):
 *   the count is believed no more, and nothing is sent; it is believed again once it is equal again. So a terminal
 *   that keeps reporting fewer gets its fingers once per lost trust, never at every count.
 * - More (fingers enrolled at its keypad and not uploaded): nothing, as for users.
 *
 * A set whose held slots are unknown (`?`, or a hash from before slots were kept) leaves the confirmed count unknown:
 * nothing is judged.
 */
export async function judgeFingerprintCount(m: EntityManager, deviceId: string, reported: number): Promise<FingerprintVerdict> {
  const [terminal]: Array<{ trusted: boolean; resent: boolean }> = await m.query(
    `SELECT fp_count_trusted AS trusted, fp_resent AS resent FROM att_terminal WHERE device_id = $1 FOR UPDATE`,
    [deviceId],
  );
  if (!terminal) return { resent: false };
  const sets: Array<{ key: string; hash: string }> = await m.query(
    `SELECT key, hash FROM sync_item WHERE device_id = $1 AND kind = 'bio' AND hash IS NOT NULL AND hash <> ''`,
    [deviceId],
  );
  let confirmed = 0;
  const withFingers: Array<{ key: string; hash: string }> = [];
  for (const set of sets) {
    const slots = bioSlotHashes(set.hash);
    if (!slots) return { resent: false };
    const fingers = [...slots.keys()].filter((slot) => FINGER_SLOT.test(slot)).length;
    confirmed += fingers;
    if (fingers > 0) withFingers.push(set);
  }
  const note = (trusted: boolean, resent: boolean) =>
    m.query(`UPDATE att_terminal SET fp_count_trusted = $2, fp_resent = $3 WHERE device_id = $1 AND (fp_count_trusted, fp_resent) IS DISTINCT FROM ($2, $3)`, [
      deviceId,
      trusted,
      resent,
    ]);
  if (reported >= confirmed) {
    await note(terminal.trusted || (reported === confirmed && confirmed > 0), false);
    return { resent: false };
  }
  if (!terminal.trusted) return { resent: false };
  if (terminal.resent) {
    await note(false, false);
    return { resent: false, distrusted: true };
  }
  for (const set of withFingers) {
    const at = set.hash.indexOf('/');
    const kept = set.hash.slice(at + 1).split(',').filter((e) => e && !FINGER_SLOT.test(e));
    await m.query(`UPDATE sync_item SET hash = $4 WHERE device_id = $1 AND kind = 'bio' AND key = $2 AND hash = $3`, [
      deviceId,
      set.key,
      set.hash,
      `${set.hash.slice(0, at + 1)}${kept.join(',')}`,
    ]);
  }
  await note(true, true);
  return { resent: true, sets: withFingers.length, confirmed };
}

/**
 * Everything the terminal should hold is sent again (a full sync, a reset found by its user count): fingers sent again
 * on a short count and awaiting their recount (att_terminal.fp_resent) are answered by it. Left set, the next count
 * short for another reason (fingers lost at its menu after the full sync) was taken for that recount: the count no
 * longer believed, and nothing sent again.
 */
export async function forgetFingersResent(m: EntityManager, deviceId: string): Promise<void> {
  await m.query(`UPDATE att_terminal SET fp_resent = false WHERE device_id = $1 AND fp_resent`, [deviceId]);
}
