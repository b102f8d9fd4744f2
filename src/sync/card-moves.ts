/**
 * A card moved from one pin to another on a panel: the old holder must lose it there before the new one gets it.
 * The two writes go in commit order, but a failed command does not hold back the ones after it: the old holder's
 * write refused or unanswered, the new holder's ran, and the panel held the card under both pins, opening the old
 * holder's doors to whoever carries it until the retry. So a card put whose number another pin of the panel is
 * confirmed to hold, or may still hold (an item in doubt, `?`, keeps what it held before: prior_hashes), is held
 * back on that panel, its item waiting a retry (SYNC_RETRY_BASE_MS), and planned again by the reconciler once the old
 * holder's item has settled. A write on its way does not count until answered. The card item is the pin's
 * `mulcarduser` rows on a panel that keeps cards there, else its `user` record (CardNo; the user item's hash names
 * its card, userHash). A full sync clears the table first: nothing is held there. An attendance terminal keeps the
 * card in its USERINFO record (Card=, ViceCard=; its user hash names both, attendance-commands.ts) and is never
 * cleared before a full sync: its user puts are held the same way, in every mode (attendance-sync.service.ts).
 */
import type { EntityManager } from 'typeorm';
import { desiredHashes, emptyDesired, itemCards, itemId, splitItemId, type DesiredDevice, type Diff, type ItemId, type ItemKind, type MemberOnDevice } from './sync-items';

/** The item kind that carries a member's cards on a panel: `card` (mulcarduser) or `user` (CardNo). */
export type CardKind = Extract<ItemKind, 'card' | 'user'>;

/**
 * The card puts of a diff (pin → numbers the pin does not hold yet as far as `current` says): what may be moving in
 * from another pin.
 */
export function incomingCards(kind: CardKind, put: readonly ItemId[], hashes: ReadonlyMap<ItemId, string>, current: ReadonlyMap<ItemId, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const id of put) {
    const [k, pin] = splitItemId(id);
    if (k !== kind) continue;
    const had = new Set(itemCards(kind, current.get(id)));
    const incoming = itemCards(kind, hashes.get(id)).filter((n) => !had.has(n));
    if (incoming.length > 0) out.set(pin, incoming);
  }
  return out;
}

/**
 * Of the pins given incoming cards on device `deviceId`, those whose card another pin of the device is confirmed to
 * hold or may still hold: their puts wait (holdCardPuts).
 */
export async function cardsStillElsewhere(m: EntityManager, deviceId: string, kind: CardKind, incoming: ReadonlyMap<string, string[]>): Promise<Set<string>> {
  if (incoming.size === 0) return new Set();
  const numbers = [...new Set([...incoming.values()].flat())];
  // The hash's numbers compared exactly (a user hash's card follows `#`); prior hashes, few, found by text first.
  const rows: Array<{ key: string; hash: string | null; prior: string | null }> = await m.query(
    `SELECT key, hash, prior_hashes AS prior FROM sync_item
      WHERE device_id = $1 AND kind = $2 AND hash IS NOT NULL
        AND (EXISTS (SELECT 1 FROM unnest(string_to_array(CASE WHEN $2 = 'user' THEN split_part(hash, '#', 2) ELSE hash END, ',')) AS c WHERE split_part(c, '/', 1) = ANY($3::text[]))
             OR (prior_hashes IS NOT NULL AND prior_hashes LIKE ANY($4::text[])))`,
    [deviceId, kind, numbers, numbers.map((n) => `%${n.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)],
  );
  const holders = new Map<string, Set<string>>();
  for (const r of rows) {
    for (const h of [r.hash, ...(r.prior?.split('|') ?? [])]) for (const no of itemCards(kind, h)) holders.set(no, new Set([...(holders.get(no) ?? []), r.key]));
  }
  const out = new Set<string>();
  for (const [pin, nos] of incoming) if (nos.some((n) => [...(holders.get(n) ?? [])].some((k) => k !== pin))) out.add(pin);
  return out;
}

/** The card items of `pins` on the device wait `retryMs` and are planned again then (the reconciler's retries). */
export async function holdCardPuts(m: EntityManager, deviceId: string, kind: CardKind, pins: readonly string[], retryMs: number): Promise<void> {
  if (pins.length === 0) return;
  await m.query(
    `INSERT INTO sync_item (device_id, kind, key, failures, next_try_at) SELECT $1, $4, k, 1, now() + make_interval(secs => $3) FROM unnest($2::varchar[]) AS k
     ON CONFLICT (device_id, kind, key) DO UPDATE SET failures = GREATEST(sync_item.failures, 1), next_try_at = EXCLUDED.next_try_at`,
    [deviceId, pins, retryMs / 1000, kind],
  );
}

/** The member without the cards `moving` names: its user record's CardNo, or its mulcarduser rows. */
function memberWithout(kind: CardKind, member: MemberOnDevice, moving: readonly string[]): MemberOnDevice {
  if (kind === 'user') return moving.includes(String(member.user.cardNo ?? '')) ? { ...member, user: { ...member.user, cardNo: '' } } : member;
  return { ...member, cards: member.cards.filter((c) => !moving.includes(c.cardNo)) };
}

/**
 * A panel's card puts held back (`waiting`, cardsStillElsewhere): a waiting pin whose card item without its incoming
 * cards differs from what the panel holds (it gives up a card) is sent that item meanwhile; the new cards follow on
 * the retry, once the old holder's item has settled. Two pins swapping cards each wait on the other's card (one of
 * them in doubt after a refused write keeps its old card in prior_hashes): without this neither item ever went out
 * and both kept their old cards for good. The user record is sent without its CardNo; mulcarduser rows are written
 * without the card, or, the only card given up, deleted by Pin (`DATA DELETE mulcarduser Pin=`, unless the firmware
 * refuses that delete: then the pin waits as before). A plain move (the new holder had no card) still just waits.
 * Returns what to compose (the desired members and hashes with those items) and the diff without the held puts;
 * the caller's own `hashes` stay the database's, so the items remain due (holdCardPuts) and are planned again.
 */
export function sendGivingUp(
  kind: CardKind,
  want: DesiredDevice,
  hashes: ReadonlyMap<ItemId, string>,
  current: ReadonlyMap<ItemId, string>,
  diff: Diff,
  waiting: ReadonlySet<string>,
  incoming: ReadonlyMap<string, string[]>,
  canRemove: boolean,
): { want: DesiredDevice; hashes: Map<ItemId, string>; diff: Diff } {
  const members = new Map(want.members);
  const sendHashes = new Map(hashes);
  const put = new Set<string>();
  const remove: ItemId[] = [];
  for (const pin of waiting) {
    const member = want.members.get(pin);
    if (!member) continue;
    const without = memberWithout(kind, member, incoming.get(pin) ?? []);
    const id = itemId(kind, pin);
    const hash = desiredHashes({ ...emptyDesired(want.rightsKind), members: new Map([[pin, without]]) }).get(id);
    if (hash === current.get(id)) continue;
    if (hash === undefined) {
      // No card left: its mulcarduser rows go.
      if (!canRemove || !current.has(id)) continue;
      sendHashes.delete(id);
      remove.push(id);
    } else {
      sendHashes.set(id, hash);
      put.add(pin);
    }
    members.set(pin, without);
  }
  const held = (id: ItemId) => id.startsWith(`${kind}\t`) && waiting.has(splitItemId(id)[1]) && !put.has(splitItemId(id)[1]);
  return { want: { ...want, members }, hashes: sendHashes, diff: { put: diff.put.filter((id) => !held(id)), remove: [...diff.remove, ...remove] } };
}
