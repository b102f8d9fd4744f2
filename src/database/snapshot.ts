import type { DataSource, EntityManager } from 'typeorm';

/**
 * Reads that must agree with each other, in one REPEATABLE READ, read-only transaction: a page and the total it
 * is answered with (read apart, a write committing between them answered "total 45" beside persons 51-60, or an
 * empty page that was not the last), a person and their levels and cards. Under READ COMMITTED each statement
 * sees the database as it is when it starts. The transaction is opened with one statement (TypeORM's own takes
 * two, and a third for READ ONLY), since lists and single reads are the integrators' commonest calls.
 */
export async function readSnapshot<T>(ds: DataSource, fn: (m: EntityManager) => Promise<T>): Promise<T> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    await qr.query('START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    try {
      const out = await fn(qr.manager);
      await qr.query('COMMIT');
      return out;
    } catch (err) {
      await qr.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  } finally {
    await qr.release();
  }
}
