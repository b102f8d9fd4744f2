import { isCardNumber, isNoCardNumber } from '../common/card.decorator';
import { newId } from '../common/ids';
import { intoOf } from '../database/columns';
import { In, type EntityManager } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { Person } from '../person/person.entity';
import { Card } from './card.entity';
import { canonicalCardNo, cardValue, cardValueSql, lockCardValues } from './card-value';

export const MAIN_CARD = 0;
export const SECONDARY_CARD = 1;

/**
 * -23 when any of these card numbers belongs to another person or to a checked-in visitor: visitors are users
 * of the same panels, and a panel holding one card for two users refuses one or opens for the wrong one.
 */
async function checkFree(m: EntityManager, personId: string, cardNos: string[]): Promise<void> {
  if (cardNos.length === 0) return;
  await lockCardValues(m, cardNos);
  // By the number the card stands for: "026802" is card 26802 to a panel.
  const [used]: Array<{ card_no: string }> = await m.query(
    `SELECT card_no FROM card WHERE ${cardValueSql('card_no')} = ANY($1::text[]) AND person_id <> $2
     UNION ALL SELECT card_no FROM vis_registration WHERE ${cardValueSql('card_no')} = ANY($1::text[]) AND state = 'in'
     LIMIT 1`,
    [cardNos.map(cardValue), personId],
  );
  if (used) throw new CvError(CvCode.CardUsed, `The card number has been used: ${used.card_no}`);
}

/** Replaces the person's main card (null = none) and mirrors it in person.card_no. */
export async function setMainCard(m: EntityManager, person: Person, written: string | null): Promise<void> {
  const cardNo = written === null ? null : canonicalCardNo(written);
  const cards = m.getRepository(Card);
  // The person's row locked first (a no-op for a caller that holds it): a concurrent main-card write for this
  // person waits, and its delete then sees this one's card. Without it, each deletes the main cards it can see
  // and inserts its own: two main cards.
  await m.query(`SELECT 1 FROM person WHERE id = $1 FOR UPDATE`, [person.id]);
  if (cardNo) await checkFree(m, person.id, [cardNo]);
  await cards.delete({ personId: person.id, cardType: MAIN_CARD });
  if (cardNo) {
    await cards.delete({ personId: person.id, cardNo });
    await cards.insert(cards.create({ personId: person.id, cardNo, cardType: MAIN_CARD }));
  }
  person.cardNo = cardNo;
  await m.getRepository(Person).update({ id: person.id }, { cardNo });
}

/** Main cards of persons inserted in this transaction (holding no card yet), their card numbers checked free: one INSERT. */
export async function insertMainCards(m: EntityManager, persons: readonly Person[]): Promise<void> {
  if (persons.length === 0) return;
  const cards = m.getRepository(Card);
  await cards.insert(persons.map((p) => cards.create({ personId: p.id, cardNo: p.cardNo!, cardType: MAIN_CARD })));
}

/**
 * Replaces the person's secondary cards, kept in the order they were written (secondaryCardsOf reads them by
 * creation time): supplyCards reads back as sent, and its first card is the one attendance terminals get as
 * ViceCard. Inserted in one transaction they would all share now(), and be read back sorted by number.
 */
export async function setSecondaryCards(m: EntityManager, person: Person, cardNos: string[]): Promise<void> {
  // Card 0 is no card (isNoCardNumber): "0" in the list stands for none, as cardNo 0 does.
  const wanted = [...new Set(cardNos.map(canonicalCardNo))].filter((c) => c !== person.cardNo && !isNoCardNumber(c));
  const bad = wanted.find((c) => !isCardNumber(c));
  if (bad !== undefined) throw new CvError(CvCode.InvalidParameter, `supplyCards: ${JSON.stringify(bad.slice(0, 70))} is not a card number (digits, or hexadecimal)`);
  await checkFree(m, person.id, wanted);
  await m.getRepository(Card).delete({ personId: person.id, cardType: SECONDARY_CARD });
  if (wanted.length === 0) return;
  await m.query(
    `INSERT INTO ${intoOf(Card, ['id', 'personId', 'cardNo', 'cardType', 'createdAt'])}
      SELECT id, $2, card_no, $4, now() + (n - 1) * interval '1 microsecond' FROM unnest($1::text[], $3::text[]) WITH ORDINALITY AS c(id, card_no, n)`,
    [wanted.map(() => newId()), person.id, wanted, SECONDARY_CARD],
  );
}

/**
 * Adds one secondary card (kept if the person already has it as one). The person's main card set so becomes a
 * secondary card, and they keep no main card: as setMainCard makes a secondary card the main one, the card is
 * then what the call said, where it stayed the main card and the call answered success all the same.
 */
export async function addSecondaryCard(m: EntityManager, person: Person, written: string): Promise<void> {
  const cardNo = canonicalCardNo(written);
  await checkFree(m, person.id, [cardNo]);
  const cards = m.getRepository(Card);
  const held = await cards.findOne({ where: { personId: person.id, cardNo } });
  if (held?.cardType === SECONDARY_CARD) return;
  if (held) await setMainCard(m, person, null);
  await cards.insert(cards.create({ personId: person.id, cardNo, cardType: SECONDARY_CARD }));
}

/**
 * The secondary card an attendance terminal holds for the person (`ViceCard=`, attendance manual 11.5, 12.1.1.1) is
 * the first of their secondary cards (secondaryCardsOf's order). One uploaded by a terminal replaces the one the
 * terminal held, and goes first; the person's other secondary cards stay.
 */
export async function setViceCard(m: EntityManager, person: Person, written: string): Promise<void> {
  const cardNo = canonicalCardNo(written);
  const held = (await secondaryCardsOf(m, [person.id])).get(person.id) ?? [];
  if (held[0] === cardNo) return;
  await checkFree(m, person.id, [cardNo]);
  const cards = m.getRepository(Card);
  if (held.length > 0) await cards.delete({ personId: person.id, cardNo: held[0], cardType: SECONDARY_CARD });
  await cards.delete({ personId: person.id, cardNo, cardType: SECONDARY_CARD });
  // First by creation time: before the others the person keeps.
  await m.query(
    `INSERT INTO ${intoOf(Card, ['id', 'personId', 'cardNo', 'cardType', 'createdAt'])}
      SELECT $1, $2, $3, $4, COALESCE((SELECT min(created_at) FROM card WHERE person_id = $2 AND card_type = $4) - interval '1 millisecond', now())`,
    [newId(), person.id, cardNo, SECONDARY_CARD],
  );
}

export async function secondaryCardsOf(m: EntityManager, personIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (personIds.length === 0) return out;
  const rows = await m.getRepository(Card).find({ where: { personId: In(personIds), cardType: SECONDARY_CARD }, order: { createdAt: 'ASC', cardNo: 'ASC' } });
  for (const r of rows) out.set(r.personId, [...(out.get(r.personId) ?? []), r.cardNo]);
  return out;
}
