import type { DataSource } from 'typeorm';

/** Card values (leading zeros aside) held by more than one person, or checked-in visitor, at once: none is consistent. */
export function sharedCardValues(ds: DataSource): Promise<Array<{ v: string }>> {
  return ds.query(`
    SELECT v FROM (
      SELECT ltrim(card_no, '0') AS v, person_id::text AS holder FROM card
      UNION ALL SELECT ltrim(card_no, '0'), id::text FROM vis_registration WHERE state = 'in' AND card_no IS NOT NULL
    ) x GROUP BY v HAVING count(DISTINCT holder) > 1`);
}
