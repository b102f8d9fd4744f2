import { In, type EntityManager } from 'typeorm';
import { checkLevels } from '../accLevel/acc-level-membership';
import { cardValue, cardValueSql, lockCardValues } from '../card/card-value';
import { isCardNumber } from '../common/card.decorator';
import { CvCode, CvError } from '../common/cv-error';
import { splitList } from '../common/paging';
import { DEFAULT_DEPT_CODE, Department } from '../department/department.entity';
import { read, readTogether } from '../database/read-together';
import type { PersonWriteDto } from './dto/person-input.dto';
import { Person } from './person.entity';
import { lockPersonPins, pinValue, pinValueSql } from './pin-value';

/**
 * What the person writes of one group look up (the stored person, checked-in visitor pins, departments,
 * levels, cards in use), read in a few queries for the whole group instead of four per write: under concurrent writes these
 * round trips, not the writes themselves, were most of each write's cost. A write that is rolled back alone
 * (its savepoint) must call `forget` for its pin: the Person object it changed in memory no longer matches
 * the row, and the next write of that pin reads it again.
 */
export class PersonLookups {
  private constructor(
    private readonly persons: Map<string, Person | null>,
    private readonly visitorPins: ReadonlySet<string>,
    /** department code → id */
    private readonly depts: Map<string, string>,
    private readonly levels: ReadonlySet<string>,
    private readonly cards: ReadonlySet<string>,
    /** Stored digit pins that stand for the same number as a pin of the group (pin-value.ts), as read at load. */
    private readonly pinTwins: ReadonlySet<string>,
  ) {}

  static async load(m: EntityManager, dtos: readonly PersonWriteDto[]): Promise<PersonLookups> {
    const pins = [...new Set(dtos.map((d) => d.pin))];
    const codes = [...new Set([DEFAULT_DEPT_CODE, ...dtos.flatMap((d) => (d.deptCode ? [d.deptCode] : []))])];
    const levelIds = [...new Set(dtos.flatMap((d) => splitList(d.accLevelIds)))];
    const cardNos = [...new Set(dtos.flatMap((d) => (d.cardNo ? [d.cardNo] : [])))];
    // The group's pins first (by the number a digit pin stands for: two writers adding "0412" and "412" at once
    // take turns), then its cards: the one lock order of person writes (lockPersonPins). Read once the cards are this
    // transaction's to write: a concurrent writer of one of them has committed by then.
    const numbers = pins.flatMap((p) => pinValue(p) ?? []);
    await lockPersonPins(m, pins);
    // Secondary cards (supplyCards) too: taken later, at their write, two adds each holding the other's card met in
    // opposite orders.
    const supplied = dtos.flatMap((d) => (d.supplyCards ? splitList(d.supplyCards).filter(isCardNumber) : []));
    await lockCardValues(m, [...cardNos, ...supplied]);
    // The stored persons are locked until the commit and read as the last writer left them: a write saves the whole
    // row it read, so one read before a concurrent card/set, leave or edit committed would put its stale values
    // back (a main card without its person.card_no mirror), and one read before a delete committed would insert
    // the deleted person again. A person deleted meanwhile is not found, and the write creates them anew.
    const found = await m.getRepository(Person).find({ where: { pin: In(pins) }, order: { pin: 'ASC' }, lock: { mode: 'pessimistic_write' } });
    // The rest in one round trip (read-together.ts): plain values, no entities.
    const set = (text: string, params: unknown[]) => read(text, params, (rows: Array<{ v: string }>) => new Set(rows.map((r) => r.v)));
    const { visitors, levels, cards, depts, twins } = await readTogether(m, {
      // By the number too: a visitor's 80000001 and a person's 080000001 are one user on a panel keeping numeric PINs.
      visitors: set(
        `SELECT DISTINCT visitor_pin AS v FROM vis_registration WHERE (visitor_pin = ANY($1::text[]) OR (visitor_pin ~ '^[0-9]+$' AND ${pinValueSql('visitor_pin')} = ANY($2::text[]))) AND state = 'in'`,
        [pins, numbers],
      ),
      levels: set(`SELECT id AS v FROM acc_level WHERE id = ANY($1::bpchar[])`, [levelIds]),
      cards: set(
        `SELECT ${cardValueSql('card_no')} AS v FROM card WHERE ${cardValueSql('card_no')} = ANY($1::text[])
         UNION SELECT ${cardValueSql('card_no')} FROM vis_registration WHERE ${cardValueSql('card_no')} = ANY($1::text[]) AND state = 'in'`,
        [cardNos.map(cardValue)],
      ),
      twins: set(`SELECT pin AS v FROM person WHERE ${pinValueSql('pin')} = ANY($1::text[]) AND pin ~ '^[0-9]+$'`, [numbers]),
      // Key-share locked: a department delete committed meanwhile reads as none (-13), never a person inserted into
      // a department gone (a bare -409 from the foreign key); one under way waits for this write, then finds its persons.
      depts: read(`SELECT id, code FROM department WHERE code = ANY($1::text[]) FOR KEY SHARE`, [codes], (rows: Array<{ id: string; code: string }>) => new Map(rows.map((d) => [d.code, d.id]))),
    });
    const persons = new Map<string, Person | null>(pins.map((p) => [p, null]));
    for (const p of found) persons.set(p.pin, p);
    return new PersonLookups(persons, visitors, depts, levels, cards, twins);
  }

  /** The stored person with this pin, or null. */
  async person(m: EntityManager, pin: string): Promise<Person | null> {
    const known = this.persons.get(pin);
    if (known !== undefined) return known;
    const p = await m.getRepository(Person).findOne({ where: { pin }, lock: { mode: 'pessimistic_write' } });
    this.persons.set(pin, p);
    return p;
  }

  /** No person has this pin (as read at load, before any write of the group). */
  isNew(pin: string): boolean {
    return this.persons.get(pin) === null;
  }

  /** A person or a checked-in visitor holds this card number (as read at load, before any write of the group). */
  isCardUsed(cardNo: string): boolean {
    return this.cards.has(cardValue(cardNo));
  }

  saved(p: Person): void {
    this.persons.set(p.pin, p);
  }

  forget(pin: string): void {
    this.persons.delete(pin);
  }

  /**
   * Another person's pin that stands for the same number as this one ("412" for "0412"): stored before the group,
   * or written earlier in it. Null for a pin with letters, or when there is none.
   */
  pinTwin(pin: string): string | null {
    const value = pinValue(pin);
    if (value === null) return null;
    const written = [...this.persons].flatMap(([p, person]) => (person ? [p] : []));
    return [...this.pinTwins, ...written].find((p) => p !== pin && pinValue(p) === value) ?? null;
  }

  /**
   * The checked-in visitor's pin this pin is, as written or by its number (leading zeros do not count): persons and
   * checked-in visitors share the devices' user table, one pin namespace. Null when none.
   */
  visitorPin(pin: string): string | null {
    const value = pinValue(pin);
    return [...this.visitorPins].find((v) => v === pin || (value !== null && pinValue(v) === value)) ?? null;
  }

  /** -24 when a level does not exist. */
  checkLevels(levelIds: readonly string[]): void {
    checkLevels(levelIds, this.levels);
  }

  /** The department id: deptCode's (-13 when unknown), else the current one, else department 1 (or the first one). */
  async deptId(m: EntityManager, deptCode: string | undefined, current: string | undefined): Promise<string> {
    if (deptCode) {
      const d = this.depts.get(deptCode);
      if (!d) throw new CvError(CvCode.DeptNotExist, `The department number does not exist: ${deptCode}`);
      return d;
    }
    if (current) return current;
    const d = this.depts.get(DEFAULT_DEPT_CODE) ?? (await m.getRepository(Department).findOne({ where: {}, order: { sortNo: 'ASC', code: 'ASC' } }))?.id;
    if (!d) {
      throw new CvError(CvCode.DeptNotExist, 'The department number does not exist: no deptCode was given and there is no department to put the person in (add one with department/add)');
    }
    return d;
  }
}
