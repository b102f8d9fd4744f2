import { describe, expect, it } from 'vitest';
import { mapError } from './exception.filter';
import { CvCode } from './cv-error';
import { isForeignKeyViolation } from './write-transaction';

/**
 * A key declared ON DELETE RESTRICT is reported as 23503 by PostgreSQL up to 16 and as 23001 (restrict_violation)
 * from 17 on, the embedded database among them: both are a foreign key refusing the write.
 */
describe('isForeignKeyViolation', () => {
  it('takes both codes, raw from pg or wrapped by TypeORM, and nothing else', () => {
    for (const code of ['23503', '23001']) {
      expect(isForeignKeyViolation({ code })).toBe(true);
      expect(isForeignKeyViolation({ driverError: { code } })).toBe(true);
    }
    expect(isForeignKeyViolation({ code: '23505' })).toBe(false);
    expect(isForeignKeyViolation(null)).toBe(false);
  });

  it('both answer the conflict envelope, not a program error', () => {
    for (const code of ['23503', '23001']) expect(mapError({ code, severity: 'ERROR' })).toMatchObject({ status: 200, code: CvCode.Conflict });
  });
});
