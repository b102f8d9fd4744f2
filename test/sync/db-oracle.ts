import type { TestApp } from '../support/test-app';

/** An access level as a test set it up on one panel: its id, the time zone its segment has there, its door numbers. */
export interface LevelOnPanel {
  id: string;
  tz: number;
  doors: ReadonlySet<number>;
}

/**
 * What a panel should hold of `pins` in user, userauthorize and mulcarduser (tableSnapshot's row form), read from
 * the database through REST alone (person/get, card/getCards), so that it does not share the planner's reading: a
 * person in a level with doors on the panel holds a user record with their card (in mulcarduser, hex, on a
 * multi-card panel) and per time zone one right whose AuthorizeDoorId has bit n-1 for door n.
 */
export async function accessFromDatabase(t: Pick<TestApp, 'get'>, pins: readonly string[], levels: readonly LevelOnPanel[], mulCard: boolean): Promise<Record<string, string[]>> {
  const want: Record<string, string[]> = { user: [], userauthorize: [], mulcarduser: [] };
  for (const p of pins) {
    const person = (await t.get(`/api/person/get/${p}`)).body.data as { name: string; cardNo: string; accLevelIds: string } | null;
    if (!person) continue;
    const rights = new Map<number, number>();
    for (const id of person.accLevelIds.split(',').filter(Boolean)) {
      const level = levels.find((l) => l.id === id);
      for (const door of level?.doors ?? []) rights.set(level!.tz, (rights.get(level!.tz) ?? 0) | (1 << (door - 1)));
    }
    if (rights.size === 0) continue;
    want.user.push(`CardNo=${mulCard ? '' : person.cardNo} Disable=0 EndTime=0 Name=${person.name} Password= Pin=${p} Privilege=0 StartTime=0`);
    for (const [tz, mask] of rights) want.userauthorize.push(`AuthorizeDoorId=${mask} AuthorizeTimezoneId=${tz} Pin=${p}`);
    if (mulCard) {
      const cards = (await t.get(`/api/card/getCards/${p}`)).body.data as Array<{ cardNo: string; cardType: string }>;
      for (const c of cards) want.mulcarduser.push(`CardNo=${Number(c.cardNo).toString(16).toUpperCase()} CardType=${c.cardType === '0' ? 0 : 1} LossCardFlag=0 Pin=${p}`);
    }
  }
  for (const k of Object.keys(want)) want[k].sort();
  return want;
}

/** The rows of `snapshot` (tableSnapshot's form) that belong to `pins`, in the tables accessFromDatabase gives. */
export function accessRowsOf(snapshot: Record<string, string[]>, pins: readonly string[]): Record<string, string[]> {
  const ours = (rows: string[] = []) => rows.filter((row) => pins.some((p) => row.split(' ').includes(`Pin=${p}`)));
  return { user: ours(snapshot.user), userauthorize: ours(snapshot.userauthorize), mulcarduser: ours(snapshot.mulcarduser) };
}

/** A panel's rows of `pins` in its photo and template tables, in the fields that say whose, which and what. */
export function biometricRowsOf(snapshot: Record<string, string[]>, pins: readonly string[]): Record<string, string[]> {
  const keep = (rows: string[] = [], fields: readonly string[], pinField: string) =>
    rows
      .map((row) => row.split(' ').filter((kv) => fields.includes(kv.slice(0, kv.indexOf('=')))).join(' '))
      .filter((row) => pins.some((p) => row.split(' ').includes(`${pinField}=${p}`)))
      .sort();
  return { biophoto: keep(snapshot.biophoto, BIOPHOTO_FIELDS, 'PIN'), biodata: keep(snapshot.biodata, BIODATA_FIELDS, 'Pin') };
}
const BIOPHOTO_FIELDS = ['Content', 'PIN', 'Type'];
const BIODATA_FIELDS = ['Index', 'No', 'Pin', 'Tmp', 'Type'];

/**
 * What a panel (biophoto and biodata dialect) should hold of `pins` besides accessFromDatabase's tables, read through
 * REST alone (person/get's personPhoto, bioTemplate/getFgListByPin): a person with a user record there holds their
 * photo as a visible-light comparison photo (Type 9) and every template, in biometricRowsOf's fields.
 */
export async function biometricsFromDatabase(t: Pick<TestApp, 'get'>, access: Record<string, string[]>): Promise<Record<string, string[]>> {
  const want: Record<string, string[]> = { biophoto: [], biodata: [] };
  for (const user of access.user) {
    const pin = /(?:^| )Pin=(\S*)/.exec(user)![1];
    const photo = ((await t.get(`/api/person/get/${pin}`)).body.data as { personPhoto: string }).personPhoto;
    if (photo) want.biophoto.push(`Content=${photo} PIN=${pin} Type=9`);
    const templates = (await t.get(`/api/bioTemplate/getFgListByPin/${pin}`)).body.data as Array<{ bioType: number; templateNo: string; templateNoIndex: number; template: string }>;
    for (const x of templates) want.biodata.push(`Index=${x.templateNoIndex} No=${x.templateNo} Pin=${pin} Tmp=${x.template} Type=${x.bioType}`);
  }
  for (const k of Object.keys(want)) want[k].sort();
  return want;
}
