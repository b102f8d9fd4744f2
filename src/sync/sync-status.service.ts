import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CvCode, CvError } from '../common/cv-error';
import { formatCvDateTime } from '../common/time';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { PersonDeviceSyncDto } from './dto/sync-status.dto';

/**
 * Sync status of one person per device: the devices the planner placed the person on, and the state of the
 * queued commands that carry the person's pin since that plan (a batched command counts for each of its pins).
 */
@Injectable()
export class SyncStatusService {
  constructor(
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async ofPerson(pin: string): Promise<PersonDeviceSyncDto[]> {
    const person: Array<{ id: string }> = await this.ds.query(`SELECT id FROM person WHERE pin = $1`, [pin]);
    if (person.length === 0) throw new CvError(CvCode.PersonNotExist, 'The person does not exist');
    const rows: Array<{
      sn: string;
      alias: string;
      rights: Array<[number, number]>;
      planned_at: Date;
      pending: number;
      done: number;
      failed: number;
      last_error: string | null;
    }> = await this.ds.query(
      `SELECT dev.sn, dev.alias, s.rights, s.planned_at,
              count(c.id) FILTER (WHERE c.state IN ('pending', 'sent'))::int AS pending,
              count(c.id) FILTER (WHERE c.state = 'done')::int AS done,
              count(c.id) FILTER (WHERE c.state = 'failed')::int AS failed,
              (array_agg(concat_ws(' ', 'Return=' || c.return_code, c.error) ORDER BY c.id DESC) FILTER (WHERE c.state = 'failed'))[1] AS last_error
         FROM sync_device_person s
         JOIN device dev ON dev.id = s.device_id
         LEFT JOIN device_command c ON c.device_sn = dev.sn AND c.created_at >= s.planned_at
              AND strpos(E'\\n' || lower(translate(c.command, E' \\t', E'\\n\\n')) || E'\\n', E'\\npin=' || lower($1) || E'\\n') > 0
        WHERE s.pin = $1
        GROUP BY dev.sn, dev.alias, s.rights, s.planned_at
        ORDER BY dev.sn`,
      [pin],
    );
    return rows.map((r) => ({
      deviceSn: r.sn,
      deviceAlias: r.alias,
      state: r.failed > 0 ? 'failed' : r.pending > 0 ? 'pending' : 'synced',
      rights: (r.rights ?? []).map(([timezoneId, authorizeDoorId]) => ({ timezoneId, authorizeDoorId })),
      pendingCommands: r.pending,
      doneCommands: r.done,
      failedCommands: r.failed,
      lastError: r.last_error || null,
      plannedAt: formatCvDateTime(r.planned_at, this.config.timeZone),
    }));
  }
}
