import type { EntityManager } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';

/**
 * A door's new name, with its readers still named after the old one (`<door>-In`, `<door>-Out`) following it. Door
 * names are the gateway's (the panel knows its doors by number only): events, remoteOpenByName and addLevelDoor
 * find a door by its name, so nothing is sent to the panel.
 */
export async function renameDoorRow(m: EntityManager, doorId: string, oldName: string, name: string): Promise<void> {
  await m.query('UPDATE door SET name = $2, updated_at = now() WHERE id = $1', [doorId, name]);
  await m.query(
    `UPDATE reader SET name = $2 || substr(name, length($3) + 1), updated_at = now()
       WHERE door_id = $1 AND left(name, length($3)) = $3`,
    [doorId, name, oldName],
  );
}

/**
 * -409 when another door has the name, case aside (remoteOpenByName and the door list's filter take "lobby" for
 * "Lobby"): two doors of one name were told apart by nobody. The door keeping its own name is never refused.
 */
export async function requireFreeDoorName(m: EntityManager, doorId: string, name: string): Promise<void> {
  const [other]: Array<{ name: string; door_no: number; sn: string }> = await m.query(
    `SELECT o.name, o.door_no, d.sn FROM door o JOIN device d ON d.id = o.device_id WHERE o.id <> $1 AND lower(o.name) = lower($2) LIMIT 1`,
    [doorId, name],
  );
  if (other) throw new CvError(CvCode.Conflict, `The door name already exists: ${other.name} is door ${other.door_no} of panel ${other.sn}`);
}
