/**
 * What the database gives a person that a device cannot hold, whatever is sent (cannotHold in the sync status
 * answers): secondary cards on a device whose records carry fewer, templates of a type (or version) its options do
 * not take. Nothing the gateway sends makes the device hold them, so they are no desired items and do not hold the
 * state back; they are named instead, or an operator reads "synced" and believes the card opens, or the face
 * verifies, on that device.
 */
import type { EntityManager } from 'typeorm';
import { SECONDARY_CARD } from '../card/card-writes';
import { BIO_TYPE_NAMES, FUNCTION_SWITCH_TYPES } from '../push/protocol/registry';
import { deviceAccepts } from './bio-sync';
import type { SyncDevice } from './device-dialect';
import type { CannotHoldDto } from './dto/sync-status.dto';
import type { DesiredHashes } from './sync-items';

/** A person's secondary cards and template slots (with content), as the views weigh them against a device. */
export interface HoldFacts {
  /** In the order terminals take the first as ViceCard (loadPersons). */
  secondaryCards: string[];
  templates: Array<{ bioType: number; templateNo: number; majorVer: number }>;
  /** The person's names, so a device's list says whom an entry concerns (an operator does not know members by pin). */
  name: string | null;
  lastName: string | null;
}

/** HoldFacts of these pins (persons only: a visitor has neither). */
export async function loadHoldFacts(m: EntityManager, pins: readonly string[]): Promise<Map<string, HoldFacts>> {
  const out = new Map<string, HoldFacts>();
  if (pins.length === 0) return out;
  const of = (pin: string) => out.get(pin) ?? (out.set(pin, { secondaryCards: [], templates: [], name: null, lastName: null }), out.get(pin)!);
  const cards: Array<{ pin: string; card_no: string }> = await m.query(
    `SELECT p.pin, c.card_no FROM card c JOIN person p ON p.id = c.person_id WHERE p.pin = ANY($1::text[]) AND c.card_type = $2 ORDER BY p.pin, c.created_at, c.card_no`,
    [pins, SECONDARY_CARD],
  );
  for (const c of cards) of(c.pin).secondaryCards.push(c.card_no);
  // One row per slot (Type, No): the indexes of a slot are held or not together.
  const slots: Array<{ pin: string; bio_type: number; template_no: number; major_ver: number }> = await m.query(
    `SELECT p.pin, t.bio_type, t.template_no, max(t.major_ver) AS major_ver FROM bio_template t JOIN person p ON p.id = t.person_id
      WHERE p.pin = ANY($1::text[]) AND btrim(t.template) <> '' GROUP BY p.pin, t.bio_type, t.template_no ORDER BY p.pin, t.bio_type, t.template_no`,
    [pins],
  );
  for (const s of slots) of(s.pin).templates.push({ bioType: Number(s.bio_type), templateNo: Number(s.template_no), majorVer: Number(s.major_ver) });
  if (out.size === 0) return out;
  const names: Array<{ pin: string; name: string | null; last_name: string | null }> = await m.query(`SELECT pin, name, last_name FROM person WHERE pin = ANY($1::text[])`, [[...out.keys()]]);
  for (const n of names) Object.assign(out.get(n.pin)!, { name: n.name, lastName: n.last_name });
  return out;
}

const typeName = (t: number) => `${t} (${BIO_TYPE_NAMES[t] ?? 'unknown'})`;

/**
 * The function switches (FingerFunOn=0...) behind the types not held, as words ending the reason: only those of the
 * types in `notHeld` are named (a face template's reason does not list FvFunOn=0).
 */
function switchesOff(off: readonly number[] | null | undefined, notHeld: readonly number[]): string {
  const switches = FUNCTION_SWITCH_TYPES.filter((s) => s.types.some((t) => off?.includes(t) && notHeld.includes(t)));
  return switches.length
    ? `; its options switch off ${switches.map((s) => `${s.option}=0 (type ${s.types.map(typeName).join(', ')})`).join(', ')}: no template of a type it does not hold is sent to it`
    : ': no other template is sent to it';
}

/**
 * Which templates an access panel can hold (DesiredHashes.templates): `device` with every type it announced, by the
 * planner's own rule (deviceAccepts). Why not the others: the types its table takes, and the functions its options
 * switch off (FingerFunOn=0...: registry.ts switchedOffBioTypes), whose templates are not sent either.
 */
export function panelTemplates(device: SyncDevice): NonNullable<DesiredHashes['templates']> {
  const table =
    device.dialect.bio === 'biodata'
      ? `its options announce templates of type ${device.dialect.bioTypes.map(typeName).join(', ') || 'none'} only (MultiBioDataSupport, BioDataFun, function switches)`
      : `it keeps fingerprints of version 10 only (templatev10: its options report neither BioDataFun nor MultiBioDataSupport on PushVersion 2.2.14 or later)`;
  const why = (notHeld: readonly number[]) => `${table}${switchesOff(device.dialect.bioOff, notHeld)}`;
  return { holds: (t) => deviceAccepts(device, t), why };
}

/**
 * Why an attendance terminal or kiosk cannot hold a template (attendance-commands.ts terminalHoldsTemplate): the types
 * its table takes, the algorithm versions it declared (MultiBioVersion, FPVersion, FaceVersion, its INFO), and the
 * function switches its options turn off, of the types not held (`notHeld`).
 */
export function terminalTemplatesWhy(
  biodata: boolean,
  bioTypes: readonly number[] | null | undefined,
  bioVersions?: Readonly<Record<number, number>> | null,
  bioOff?: readonly number[] | null,
  notHeld: readonly number[] = [],
): string {
  const table = biodata
    ? bioTypes
      ? `its options announce templates of type ${bioTypes.map(typeName).join(', ')} only (MultiBioDataSupport)`
      : 'it takes unified templates (BIODATA)'
    : `without BIODATA it keeps fingers No 0-9 of algorithm 10.0 or lower (FINGERTMP), near-infrared faces (FACE) and finger veins (FVEIN) only`;
  const versions = Object.entries(bioVersions ?? {}).map(([type, v]) => `type ${typeName(Number(type))} of algorithm ${v} only`);
  return `${table}${versions.length ? `; it declares ${versions.join(', ')} (MultiBioVersion, FPVersion, FaceVersion)` : ''}${switchesOff(bioOff, notHeld)}`;
}

/** The secondary cards a device's records cannot carry (DesiredHashes.secondaryCards), and why. */
function secondaryCardsNotHeld(held: DesiredHashes['secondaryCards'], cards: readonly string[]): CannotHoldDto | null {
  if (!held || held === 'all' || cards.length === 0) return null;
  if (held === 'none') {
    return {
      what: 'secondaryCards',
      cardNos: [...cards],
      templates: [],
      reason: 'multi-card is off on this device (its options do not report MulCardUserFunOn=1): it holds the main card only, and a secondary card is invalid here',
    };
  }
  if (cards.length === 1) return null;
  return { what: 'secondaryCards', cardNos: cards.slice(1), templates: [], reason: `its user record carries one secondary card (USERINFO ViceCard): it holds ${cards[0]} only` };
}

/** The templates a device cannot hold (DesiredHashes.templates), and why. */
function templatesNotHeld(can: DesiredHashes['templates'], templates: HoldFacts['templates']): CannotHoldDto | null {
  if (!can) return null;
  const not = templates.filter((t) => !can.holds(t));
  if (not.length === 0) return null;
  return { what: 'templates', cardNos: [], templates: not.map((t) => ({ bioType: t.bioType, templateNo: t.templateNo })), reason: can.why(not.map((t) => t.bioType)) };
}

/** What of a person the device `d` cannot hold (for a member of the device: nothing is said of a person not to be on it). */
export function cannotHoldOf(d: DesiredHashes, facts: HoldFacts | undefined): CannotHoldDto[] {
  if (!facts) return [];
  return [secondaryCardsNotHeld(d.secondaryCards, facts.secondaryCards), templatesNotHeld(d.templates, facts.templates)].filter((c): c is CannotHoldDto => !!c);
}
