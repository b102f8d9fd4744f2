import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A new digit pin is refused when another person's pin stands for the same number ("0412" and "412": one user on
 * devices that keep numeric PINs; src/person/pin-value.ts). Each person write looks that number up: an index on
 * it, over digit pins only, answers from the few rows it matches instead of reading every person.
 */
export class PersonPinValueIndex1764600002000 implements MigrationInterface {
  name = 'PersonPinValueIndex1764600002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "ix_person_pin_value" ON "person" (ltrim("pin", '0')) WHERE "pin" ~ '^[0-9]+$'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."ix_person_pin_value"`);
  }
}
