/**
 * What an attendance terminal (or FaceKiosk) should hold for one person, as commands in the terminal's own
 * dialect (Attendance PUSH 12), from the codec's typed builders. Pure: the planner feeds it rows.
 *
 *   USERINFO first (PIN, Name, Pri, Passwd, Card, Grp and TZ as a terminal last reported them, Verify, ViceCard), then the templates: `BIODATA` on unified-
 *   template firmware, `FINGERTMP`/`FACE`/`FVEIN` on older firmware (a BIODATA-era terminal answers -12 to
 *   FINGERTMP), then the photo (`USERPIC`, and `BIOPHOTO Type=9` to a terminal that takes comparison photos).
 *
 * Confirmed state: a terminal holds three items per PIN (sync-items.ts): `user` (the USERINFO record), `bio`
 * (its templates, as one set) and `photo` (USERPIC, with BIOPHOTO Type=9 where the terminal takes it). `terminalMember` gives each item's hash and commands;
 * `composeTerminalCommands` turns a diff into commands whose `ref` names the items they carry, so that the
 * confirmation hook records them from the terminal's Return codes only.
 */
import { createHash } from 'node:crypto';
import { decodeCodePage, encodeCodePage, WESTERN } from '../common/code-page';
import { gbkRoundTrip } from '../common/gbk';
import { refusalKey } from '../push/protocol';
import { splitItemId, type Diff, type ItemId, type ItemKind, type SyncRef } from './sync-items';
import type { PlannedCommand } from './sync-plan';
import { algorithmFits } from './bio-sync';
import {
  attDelete,
  attUpdateBiodata,
  attUpdateBiophoto,
  attUpdateFace,
  attUpdateFingerTmp,
  attUpdateFvein,
  attUpdateUserInfo,
  attUpdateUserPic,
  attPrivilegeOf,
  VISIBLE_FACE_PHOTO,
  type AttDeleteTable,
  type AttPrivilege,
} from '../push/attendance/protocol';

export interface AttSyncPerson {
  id: string;
  pin: string;
  name: string | null;
  lastName: string | null;
  cardNo: string | null;
  /** The first secondary card (`ViceCard=`, manual 12.1.1.1); null or absent when the person has none. */
  viceCard?: string | null;
  password: string | null;
  photo: string | null;
  /** editAttPerson perDevAuth (terminals) or editInsPerson perDevAuth (kiosks). */
  pri: number;
  /** editAttPerson verifyMode; null = the terminal's group mode. */
  verifyMode: number | null;
  /** The terminal group (`Grp`) a terminal reported for the person; null or absent = never reported, group 1. */
  grp?: number | null;
  /** The time periods (`TZ`, 16 digits) a terminal reported; null or absent = never reported, the group's. */
  tz?: string | null;
  /** Disabled at a terminal (an odd Pri reported); null or absent = never reported, enabled. Attendance terminals only. */
  disabled?: boolean | null;
}

export interface AttSyncTemplate {
  bioType: number;
  no: number;
  index: number;
  validType: number;
  majorVer: number;
  minorVer: number;
  format: number;
  template: string;
}

export interface AttSyncTerminal {
  id: string;
  sn: string;
  kind: 'att' | 'facekiosk';
  areaId: string | null;
  /** Unified templates (BIODATA) rather than FINGERTMP/FACE/FVEIN. */
  biodata: boolean;
  /**
   * The template types the terminal announced in MultiBioDataSupport (its options upload; attendance manual 3.1:
   * each side uses only the types both announce): BIODATA of another type is not sent. Absent when it announced
   * none: every type is sent, as before the terminal said.
   */
  bioTypes?: readonly number[] | null;
  /**
   * The algorithm (major version) it declared per template type (loadTerminals: MultiBioVersion on BIODATA; on older
   * firmware also FPVersion / ~ZKFPVersion / FaceVersion and its INFO's algorithm fields): a template of another
   * version is not sent (algorithmFits). A type it declared none for is not judged.
   */
  bioVersions?: Readonly<Record<number, number>> | null;
  /**
   * The template types whose BIODATA it refused for good (refusals.ts BIODATA_TYPE_REFUSAL), their probe not due: not
   * sent, the others are. Once the probe is due the type is back in each person's set, which goes out with it (the probe).
   */
  refusedBioTypes?: readonly number[];
  /**
   * The template types its function switches turn off (FingerFunOn=0, FaceFunOn=0, FvFunOn=0, PvFunOn=0 in its options:
   * loadTerminals, as a panel's switchedOffBioTypes): not sent on any table, whatever the table could store.
   */
  bioOff?: readonly number[];
  /**
   * It takes comparison photos of visible-light faces (its last word, att_terminal.bio_photo: BioPhotoFun=1 and type 9
   * in MultiBioPhotoSupport, or its INFO's comparison photo bit; attendance manual 3.1, 9, 12.1.1.8): the person's photo goes as `DATA UPDATE BIOPHOTO Type=9` besides USERPIC,
   * since a USERPIC is only shown, never compared. Absent or false: USERPIC alone.
   */
  bioPhoto?: boolean;
  /**
   * It takes comparison photos but refused `DATA UPDATE BIOPHOTO` for good, its probe not due (the refusal is keyed by
   * the table, not by a photo): sent USERPIC alone meanwhile (bioPhoto false), the comparison photo said refused.
   */
  bioPhotoRefused?: boolean;
}

/**
 * Whether a terminal can hold a template at all: on BIODATA one of the types it announced (any while it announced
 * none); otherwise a finger (No 0-9, FINGERTMP), a near-infrared face (FACE) or a finger vein (FVEIN), the tables
 * templateRecords writes; never one of a type its function switches turn off. A type it refused for good is a refusal, not this.
 */
export function terminalHoldsTemplate(t: Pick<AttSyncTerminal, 'biodata' | 'bioTypes' | 'bioVersions' | 'bioOff'>, x: { bioType: number; templateNo: number; majorVer?: number }): boolean {
  const major = x.majorVer ?? 0;
  if (t.bioOff?.includes(x.bioType)) return false;
  if (!algorithmFits(t.bioVersions?.[x.bioType], major)) return false;
  if (t.biodata) return !t.bioTypes || t.bioTypes.includes(x.bioType);
  // FINGERTMP carries fingerprint algorithms up to 10.0 only (manual 12.1.1.3).
  return (x.bioType === 1 && x.templateNo >= 0 && x.templateNo <= 9 && major <= FINGERTMP_MAX_VERSION) || x.bioType === 2 || x.bioType === 7;
}

/** The highest fingerprint algorithm FINGERTMP carries: "less than or equal to 10.0" (manual 12.1.1.3). */
export const FINGERTMP_MAX_VERSION = 10;

/**
 * The templates a terminal is sent: those with content, of a type its function switches leave on, of the algorithm
 * version it declared for their type, on
 * BIODATA only of the types it announced (not refused), on FINGERTMP fingers of algorithm 10.0 or lower. Without
 * BIODATA the other types all, here: templateRecords keeps those its tables take, and the bio hash names their types.
 */
const templatesFor = (t: AttSyncTerminal, templates: readonly AttSyncTemplate[]): AttSyncTemplate[] =>
  templates.filter(
    (x) =>
      x.template.trim() &&
      !t.bioOff?.includes(x.bioType) &&
      algorithmFits(t.bioVersions?.[x.bioType], x.majorVer) &&
      (!t.biodata || (terminalHoldsTemplate(t, { bioType: x.bioType, templateNo: x.no, majorVer: x.majorVer }) && !t.refusedBioTypes?.includes(x.bioType))) &&
      (t.biodata || x.bioType !== 1 || x.majorVer <= FINGERTMP_MAX_VERSION),
  );

const PRIVILEGES: readonly number[] = [0, 2, 6, 10, 14];
const NO_CONTROL = /[\t\r\n\0]/g;

/** The terminal's privilege for a stored perDevAuth (unknown values fall back to an ordinary user). */
export function terminalPri(perDevAuth: number): AttPrivilege {
  return (PRIVILEGES.includes(perDevAuth) ? perDevAuth : 0) as AttPrivilege;
}

/** Name as the terminal shows it: first and last name, control characters dropped (the builder refuses them). */
export function terminalName(p: Pick<AttSyncPerson, 'name' | 'lastName'>): string {
  return [p.name, p.lastName].filter((x) => x && x.trim()).join(' ').replace(NO_CONTROL, ' ').slice(0, 64);
}

/**
 * The fewest bytes a terminal's name field holds: 24 on many models (field notes, Devices 9), less a character it
 * would not split. A name that comes back cut is at least this long.
 */
const NAME_FIELD_MIN_BYTES = 20;

/** `cut` is `full` cut short at a terminal's name field: a proper prefix, at least NAME_FIELD_MIN_BYTES long. */
function isCutOf(cut: string, full: string): boolean {
  return cut.length > 0 && cut.length < full.length && full.startsWith(cut) && Buffer.byteLength(cut, 'utf8') >= NAME_FIELD_MIN_BYTES;
}

/**
 * A name a device uploaded for this person is the one it was sent (terminalName) as the device holds it: the same,
 * with each character GBK or windows-1252 cannot hold as `?` (a terminal set to Chinese gets its names in GBK, older
 * firmware whose text is Latin-1 in windows-1252), or cut short to the
 * terminal's name field (24 bytes on many models). Taking such a name as a rename would put the last name into the
 * first name, lose the characters GBK lacks, or cut the person's stored name to what the terminal could show.
 */
export function isTerminalNameOf(name: string, p: Pick<AttSyncPerson, 'name' | 'lastName'>): boolean {
  const shown = terminalName(p);
  const uploaded = name.trimEnd();
  if (name === shown || isCutOf(uploaded, shown)) return true;
  // As a terminal set to Chinese holds it (GBK), or older firmware that keeps names in windows-1252 (code-page.ts).
  return [gbkRoundTrip(shown), westernRoundTrip(shown)].some((held) => name === held || isCutOf(uploaded, held));
}

/** The text as a windows-1252 terminal gives it back: each character the page cannot hold as `?`. */
const westernRoundTrip = (text: string): string => decodeCodePage(encodeCodePage(text, WESTERN), WESTERN);

export function userInfoCommand(p: AttSyncPerson): string {
  return attUpdateUserInfo({
    pin: p.pin,
    name: terminalName(p),
    // A user disabled at a terminal stays disabled (bit 0, attPrivilegeOf); others keep the Pri, and hash, they had.
    pri: terminalPri(p.pri) + (p.disabled ? 1 : 0),
    passwd: (p.password ?? '').replace(NO_CONTROL, ''),
    card: (p.cardNo ?? '').replace(NO_CONTROL, ''),
    // What a terminal reported, so a record sent back after a REST edit does not unblock a person the terminal's group
    // blocks (AiFace: Grp=100) nor reset personal time periods. A person never reported keeps the text, and so the
    // hash, the record always had (Grp=1, the group's periods): no terminal is sent its users again for this.
    grp: p.grp ?? 1,
    tz: p.tz ?? undefined,
    verify: p.verifyMode ?? -1,
    // Always, empty when the person has none (12.1.1.1 prints the field in every record): a terminal keeps a field
    // the record leaves out, so a secondary card removed by REST would stay valid there. userRecordHash keeps the
    // hash of a record without one as it always was, so no terminal is sent its users again for this.
    viceCard: p.viceCard ? p.viceCard.replace(NO_CONTROL, '') : '',
  });
}

/** An empty trailing `ViceCard=`, left out of the user record's hash (see userInfoCommand). */
const NO_VICE_CARD = '\tViceCard=';

/** The hash of a user record: of its text as it was before every record carried `ViceCard=`. */
export function userRecordHash(user: string): string {
  return hashOf(user.endsWith(NO_VICE_CARD) ? user.slice(0, -NO_VICE_CARD.length) : user);
}

/**
 * What a user item's hash says of the cards its record carries (`#<Card>,<ViceCard>`, those it has; nothing when
 * none), as a panel's user hash names its card (sync-items.ts userHash): a card moved from one pin to another waits
 * on the terminal until the old holder's record is confirmed without it (card-moves.ts).
 */
function cardSuffix(p: AttSyncPerson): string {
  const cards = [p.cardNo, p.viceCard].map((c) => (c ?? '').replace(NO_CONTROL, '')).filter(Boolean);
  return cards.length ? `#${cards.join(',')}` : '';
}

export function templateCommands(t: AttSyncTerminal, pin: string, templates: readonly AttSyncTemplate[]): string[] {
  return templateRecords(t, pin, templates).map((r) => r.command);
}

/**
 * Each template's command with the slot a delete can name on its own (slotDelete): a BIODATA template's Type and No
 * (`1.3`; manual 12.1.2.5, every Index of it), a finger's or finger vein's FID (`F1.3`, `F7.3`; 12.1.2.2, 12.1.2.4),
 * and on FACE the whole face set (`F2`: 12.1.2.3 deletes by PIN only).
 */
function templateRecords(t: AttSyncTerminal, pin: string, templates: readonly AttSyncTemplate[]): Array<{ slot: string; command: string }> {
  const out: Array<{ slot: string; command: string }> = [];
  for (const tp of templatesFor(t, templates)) {
    const tmp = tp.template.replace(/\s+/g, '');
    if (t.biodata) {
      const command = attUpdateBiodata({ pin, no: tp.no, index: tp.index, valid: 1, duress: tp.validType === 3 ? 1 : 0, type: tp.bioType, majorVer: tp.majorVer, minorVer: tp.minorVer, format: tp.format, tmp });
      out.push({ slot: `${tp.bioType}.${tp.no}`, command });
    } else if (tp.bioType === 1 && tp.no >= 0 && tp.no <= 9) {
      out.push({ slot: `F1.${tp.no}`, command: attUpdateFingerTmp({ pin, fid: tp.no, valid: tp.validType === 3 ? 3 : 1, tmp }) });
    } else if (tp.bioType === 2) {
      out.push({ slot: 'F2', command: attUpdateFace({ pin, fid: tp.index, tmp }) });
    } else if (tp.bioType === 7) {
      out.push({ slot: `F7.${tp.no}`, command: attUpdateFvein({ pin, fid: tp.no, index: tp.index, tmp }) });
    }
  }
  return out;
}

/** The delete of one slot (templateRecords) on the terminal: by the slot's own table, whatever the terminal's dialect now. */
function slotDelete(pin: string, slot: string): string {
  const [, legacy, type, no] = /^(F?)(\d+)(?:\.(\d+))?$/.exec(slot) ?? [];
  if (!legacy) return attDelete('BIODATA', pin, [['Type', type], ['No', no]]);
  if (type === '1') return attDelete('FINGERTMP', pin, [['FID', no]]);
  if (type === '7') return attDelete('FVEIN', pin, [['FID', no]]);
  return attDelete('FACE', pin);
}

/**
 * The slots a bio hash names (`<types>:<sha>/<slot>=<sha12>,...`, terminalMember), slot → its hash; null when it
 * names none: `?`, or a hash from before slots were kept (its legacy part alone, bioLegacyHash).
 */
export function bioSlotHashes(hash: string | undefined): Map<string, string> | null {
  const at = hash?.indexOf('/') ?? -1;
  if (!hash || at < 0) return null;
  return new Map(hash.slice(at + 1).split(',').filter(Boolean).map((e) => e.split('=') as [string, string]));
}

/** What a bio hash was before it named its slots (`<types>:<sha>`): the hash a terminal may have confirmed then. */
export const bioLegacyHash = (hash: string): string => hash.split('/')[0];

/** A photo item's hash when it carries the comparison photo too: its removal deletes that as well. */
const BIOPHOTO_HASH = 'bp9:';

/** Whether a photo item held as `hash` carries the comparison photo (BIOPHOTO_HASH). */
const carriesBioPhoto = (hash: string | undefined): boolean => hash?.startsWith(BIOPHOTO_HASH) === true;

/** USERPIC, and on a terminal that takes comparison photos (bioPhoto) the same photo as BIOPHOTO Type=9 after it. */
export function photoCommands(pin: string, photo: string | null, bioPhoto = false): string[] {
  const content = (photo ?? '').replace(/^data:[^,]*,/, '').replace(/\s+/g, '');
  if (!content) return [];
  return [attUpdateUserPic({ pin, content }), ...(bioPhoto ? [attUpdateBiophoto({ pin, type: VISIBLE_FACE_PHOTO, content })] : [])];
}

/**
 * The hash of a photo item as a terminal holds it when it enrolled the photo itself (an OPERLOG USERPIC line): the
 * display photo alone, since nothing says it holds a comparison photo of it, so the BIOPHOTO is still sent.
 */
export function enrolledPhotoHash(item: TerminalItem): string {
  return carriesBioPhoto(item.hash) ? hashOf(item.commands.slice(0, 1)) : item.hash;
}

/**
 * What removes a photo item from terminal `t`: USERPIC, and the comparison photo when the item carries one
 * (`bioPhoto`) and the terminal still takes them (or refused one, its table still there). A terminal that no longer
 * says it takes them (new firmware, the option turned off) is sent no DATA DELETE BIOPHOTO it cannot take: it answers
 * -1004, and the removal would be held as refused for good.
 */
function photoDeletes(t: AttSyncTerminal, pin: string, bioPhoto: boolean): string[] {
  const biophoto = bioPhoto && (t.bioPhoto === true || t.bioPhotoRefused === true);
  return [attDelete('USERPIC', pin), ...(biophoto ? [attDelete('BIOPHOTO', pin)] : [])];
}

/** `DATA DELETE USERINFO PIN=`: the terminal drops the user with their templates and photo. */
export function removalCommand(pin: string): string {
  return attDelete('USERINFO', pin);
}

export const hashOf = (...parts: unknown[]): string => createHash('sha1').update(JSON.stringify(parts)).digest('hex');

/** The kinds of item a terminal holds per PIN, in the order they are sent (templates and photo need the user). */
export const TERMINAL_KINDS: readonly ItemKind[] = ['user', 'bio', 'photo'];

/** One item a terminal should hold: its hash and the commands that put it there. */
export interface TerminalItem {
  hash: string;
  commands: string[];
  /** A template set's commands by slot (templateRecords): what a change of one slot sends again. */
  slots?: ReadonlyMap<string, string[]>;
}

/** What one terminal should hold for one PIN, by kind (no `bio` / `photo` when the person has none). */
export type TerminalMember = Map<ItemKind, TerminalItem>;

/** The person's USERINFO record as a terminal's user item: its hash names the cards it carries (cardSuffix). */
export function terminalUserItem(p: AttSyncPerson): TerminalItem {
  const user = userInfoCommand(p);
  return { hash: userRecordHash(user) + cardSuffix(p), commands: [user] };
}

/**
 * The hash of the user record a terminal's USER line describes, as terminalUserItem builds it (the record the gateway
 * would send for those values): equal to a confirmed user item's hash when the line is exactly the record the terminal
 * was sent and confirmed. A field the line leaves out is taken as a record that never carried it (Grp 1, the group's
 * TZ, Verify -1, no ViceCard), as the builder does for a person no terminal reported it for. Null when the line holds
 * something no record the gateway builds could (a Pri no terminal means, a name or value the builder would change).
 */
export function userLineHash(line: { pin: string; name: string | null; pri: number | null; passwd: string | null; card: string | null; grp?: number | null; tz?: string | null; verify?: number | null; viceCard?: string | null }): string | null {
  const privilege = line.pri === null ? { role: 0, disabled: false } : attPrivilegeOf(line.pri);
  if (!privilege) return null;
  const p: AttSyncPerson = {
    id: '',
    pin: line.pin,
    name: line.name,
    lastName: null,
    cardNo: line.card || null,
    viceCard: line.viceCard || null,
    password: line.passwd || null,
    photo: null,
    pri: privilege.role,
    disabled: privilege.disabled,
    verifyMode: line.verify === null || line.verify === undefined || line.verify === -1 ? null : line.verify,
    grp: line.grp ?? null,
    tz: line.tz ?? null,
  };
  // Only a line the builder sends as it is: a name it would join, cut or clean, a value it would clean, is no record
  // it built.
  if (terminalName(p) !== (line.name ?? '') || [line.passwd, line.card, line.viceCard].some((v) => (v ?? '').replace(NO_CONTROL, '') !== (v ?? ''))) return null;
  try {
    return terminalUserItem(p).hash;
  } catch {
    return null;
  }
}

/**
 * The person's record without the cards `moving` names (a card move held back, card-moves.ts): sent while the
 * new cards wait, it takes off the cards the pin gives up. Two pins swapping cards each wait on the other's card;
 * without it neither record ever went out and the terminal kept the old cards under the old pins for good.
 */
export function userItemWithout(p: AttSyncPerson, moving: readonly string[]): TerminalItem {
  const keep = (c: string | null | undefined) => (c && moving.includes(c.replace(NO_CONTROL, '')) ? null : (c ?? null));
  return terminalUserItem({ ...p, cardNo: keep(p.cardNo), viceCard: keep(p.viceCard) });
}

/**
 * The items of one person on one terminal. Throws when a stored value cannot travel (the builders refuse it).
 * The bio hash starts with the template types it holds (`1.2:<sha>`): a removal needs to know which tables to
 * clear on firmware without BIODATA (FINGERTMP, FACE, FVEIN are separate tables there). Then, after `/`, each slot's
 * hash (`1.3=<sha12>,...`): a changed set deletes and sends again only the slots that changed.
 */
export function terminalMember(t: AttSyncTerminal, p: AttSyncPerson, templates: readonly AttSyncTemplate[]): TerminalMember {
  const out: TerminalMember = new Map();
  out.set('user', terminalUserItem(p));
  const records = templateRecords(t, p.pin, templates);
  if (records.length) {
    const bio = records.map((r) => r.command);
    const types = [...new Set(templatesFor(t, templates).map((x) => x.bioType))].sort((a, b) => a - b);
    const slots = new Map<string, string[]>();
    for (const r of records) slots.set(r.slot, [...(slots.get(r.slot) ?? []), r.command]);
    const slotHashes = [...slots].map(([slot, commands]) => `${slot}=${hashOf(commands).slice(0, 12)}`).join(',');
    out.set('bio', { hash: `${types.join('.')}:${hashOf(bio)}/${slotHashes}`, commands: bio, slots });
  }
  const photo = photoCommands(p.pin, p.photo, t.bioPhoto === true);
  if (photo.length) out.set('photo', { hash: (photo.length > 1 ? BIOPHOTO_HASH : '') + hashOf(photo), commands: photo });
  return out;
}

/** Template tables to clear for a PIN whose held templates are described by `hash` (`?`: not known). */
function bioDeletes(t: AttSyncTerminal, pin: string, hash: string | undefined): string[] {
  if (hash === undefined) return [];
  // Templates confirmed in the separate tables before a firmware upgrade to unified templates are not in BIODATA:
  // left there, the terminal kept every finger twice, and one deleted later through REST (DATA DELETE BIODATA) stayed
  // in FINGERTMP. The held hash's slots (`F1.<no>`, `F2`, `F7.<no>`) say which of those tables to clear.
  if (t.biodata) return [attDelete('BIODATA', pin), ...legacyTablesHeld(hash).map((table) => attDelete(table, pin))];
  const types = hash.includes(':') ? hash.split(':')[0].split('.').map(Number) : [1, 2];
  const out: string[] = [];
  if (types.includes(1)) out.push(attDelete('FINGERTMP', pin));
  if (types.includes(2)) out.push(attDelete('FACE', pin));
  if (types.includes(7)) out.push(attDelete('FVEIN', pin));
  return out;
}

/** The separate template tables (FINGERTMP, FACE, FVEIN) a bio hash's slots say the terminal holds templates in. */
function legacyTablesHeld(hash: string): AttDeleteTable[] {
  const tables = new Set<AttDeleteTable>();
  for (const slot of bioSlotHashes(hash)?.keys() ?? []) {
    const type = /^F(\d+)/.exec(slot)?.[1];
    if (type) tables.add(type === '1' ? 'FINGERTMP' : type === '7' ? 'FVEIN' : 'FACE');
  }
  return [...tables];
}

/**
 * The refusal keys (device-refusals.ts) that would hold back removing an item from a terminal: the item's own delete
 * (a photo's `DATA DELETE USERPIC`, a template set's per table) and the user's `DATA DELETE USERINFO`, which takes
 * the templates and the photo with it.
 */
export function removalRefusalKeys(t: AttSyncTerminal, kind: string, pin: string): string[] {
  const own = kind === 'photo' ? photoDeletes(t, pin, t.bioPhoto === true) : kind === 'bio' ? bioDeletes(t, pin, '') : [];
  return [...own, removalCommand(pin)].map(refusalKey);
}

/** Items whose commands use a table the terminal refused for good (device-refusals.ts): never planned. */
export function refusedItems(members: ReadonlyMap<string, TerminalMember>, refused: ReadonlySet<string> | undefined): Set<ItemId> {
  return new Set(refusedItemKeys(members, refused).keys());
}

/** refusedItems with, for each item, the refusal key (`DATA UPDATE USERPIC`) that holds it back. */
export function refusedItemKeys(members: ReadonlyMap<string, TerminalMember>, refused: ReadonlySet<string> | undefined): Map<ItemId, string> {
  const out = new Map<ItemId, string>();
  if (!refused?.size) return out;
  for (const [pin, member] of members) {
    for (const [kind, item] of member) {
      const key = item.commands.map(refusalKey).find((k) => refused.has(k));
      if (key) out.set(`${kind}\t${pin}`, key);
    }
  }
  return out;
}

/**
 * From a diff to terminal commands, each carrying the ref of the one item it changes. A user removal is
 * `DATA DELETE USERINFO`, which takes the templates and the photo with it (attendance manual 12.1.2.1), so its
 * ref cascades to them. A changed template set is cleared before it is sent again (templates no longer stored
 * must not stay): the slots that changed, when the held hash names them, else every template of the PIN. Removals come first, then per PIN the user, its templates, its photo.
 */
export function composeTerminalCommands(
  t: AttSyncTerminal,
  members: ReadonlyMap<string, TerminalMember>,
  diff: Diff,
  current: ReadonlyMap<ItemId, string>,
  plan: string,
  /** Everything in `diff.put` is sent whole (a forced or full sync), changed template slots or not. */
  resend = false,
): PlannedCommand[] {
  const out: PlannedCommand[] = [];
  const gone = new Set(diff.remove.filter((id) => id.startsWith('user\t')).map((id) => id.slice(5)));
  for (const id of diff.remove) {
    const [kind, pin] = splitItemId(id);
    if (kind === 'user') out.push({ command: removalCommand(pin), ref: { sync: 1, plan, kind, del: [pin], cascade: ['bio', 'photo'] } });
    else if (gone.has(pin)) continue;
    else if (kind === 'bio') for (const command of bioDeletes(t, pin, current.get(id))) out.push({ command, ref: { sync: 1, plan, kind, del: [pin] } });
    else if (kind === 'photo') for (const command of photoDeletes(t, pin, carriesBioPhoto(current.get(id)))) out.push({ command, ref: { sync: 1, plan, kind, del: [pin] } });
  }
  const puts = [...diff.put].sort((a, b) => {
    const [ka, pa] = splitItemId(a);
    const [kb, pb] = splitItemId(b);
    return pa < pb ? -1 : pa > pb ? 1 : TERMINAL_KINDS.indexOf(ka) - TERMINAL_KINDS.indexOf(kb);
  });
  for (const id of puts) {
    const [kind, pin] = splitItemId(id);
    const item = members.get(pin)?.get(kind);
    if (!item) continue;
    const ref: SyncRef = { sync: 1, plan, kind, put: [[pin, item.hash]] };
    const held = kind === 'bio' && !resend && current.get(id) !== item.hash ? bioSlotHashes(current.get(id)) : null;
    const wanted = held && item.slots ? bioSlotHashes(item.hash) : null;
    if (held && wanted && item.slots) {
      // The slots the terminal holds are known: only those that changed are deleted (one finger, one face: manual
      // 12.1.2.2-5), and only the changed or new ones sent; the person's other templates stay as they are.
      for (const [slot, h] of held) if (wanted.get(slot) !== h) out.push({ command: slotDelete(pin, slot), ref });
      for (const [slot, commands] of item.slots) if (held.get(slot) !== wanted.get(slot)) for (const command of commands) out.push({ command, ref });
      continue;
    }
    if (kind === 'bio') for (const command of bioDeletes(t, pin, current.get(id))) out.push({ command, ref });
    for (const command of item.commands) out.push({ command, ref });
  }
  return out;
}
