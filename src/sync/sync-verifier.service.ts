import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { PUSH_SETTINGS, type PushSettings } from '../push/push-settings';
import { ONLINE_SLACK } from '../push/online-window';
import { AttendanceTerminalService } from '../push/attendance/attendance-terminal.service';
import { asLeader } from '../database/leader';
import { SyncPlannerService } from './sync-planner.service';
import { AttendanceSyncService } from './attendance-sync.service';
import { LEADER_LOCK } from './sync-reconciler.service';
import { excludedOf, intoOf } from '../database/columns';
import { SyncVerify } from './sync-state.entity';
import { GIVEN_UP } from './confirmed-state';
import { stopWorker } from '../common/stop-worker';

/** Its own leader lock: a tick holding the reconciler's would make a pass kicked by a registration skip. */
const VERIFIER_LOCK = LEADER_LOCK + 1;
const ASKED_INTO = intoOf(SyncVerify, ['deviceId', 'askedAt', 'pinsAt']);
const ASKED_UPDATE = excludedOf(SyncVerify, ['askedAt']);
/** Panels asked per tick: a site of any size costs a bounded burst of `DATA COUNT` commands (users, rights rows). */
export const VERIFY_BATCH = 100;

/**
 * Periodic verification of devices that stay connected. A panel is asked `DATA COUNT user` and `DATA COUNT
 * userauthorize` (an elevator controller `usereleauthorize`, a channel controller with pass rules `gatepassrule`
 * too: SyncPlannerService.queueVerify) when it registers again (the reconciler's `verify` job), but one
 * that never reconnects would keep a table changed behind the gateway's back (users or rights rows deleted or added
 * at its menu, a partial reset) for ever. So every SYNC_VERIFY_INTERVAL_MS each access panel, elevator or channel
 * controller that is online and idle (nothing queued or on its way, no item waiting a retry, no owed work) is
 * planned against the database (askDue) and, where that sends nothing and no item is failing (a count then has one
 * right answer), asked again, at most VERIFY_BATCH per tick, least recently asked first.
 * The answer goes where a re-registration's goes (SyncReconciler.verified): a count that cannot match what the
 * panel confirmed makes a full sync owed. Attendance terminals and FaceKiosks have no DATA COUNT: the user count of
 * their next INFO is judged instead, as after an initialisation (AttendanceTerminalService.askUserCount).
 *
 * A count cannot tell a stranger added at a panel's menu while one of its users was deleted there (the same
 * number): so every SYNC_VERIFY_PINS_INTERVAL_MS, with the counts of a verification, such a panel is asked which users
 * it holds (`DATA QUERY tablename=user`, after the counts; SyncReconciler.learned deletes the strangers by PIN and
 * writes the users it lacks again). The period starts when a panel is first verified, and the query costs nothing
 * more on a poll: it is one more command of the verification, whose records come once.
 *
 * One process asks at a time (leader.ts); when it last asked is kept per panel in sync_verify, so the period
 * holds whichever process leads. A registration counts as asked (it queues its own count).
 */
/** A device due for its periodic verification; `pins`: its users are asked for too (SYNC_VERIFY_PINS_INTERVAL_MS). */
interface Due {
  id: string;
  sn: string;
  terminal: boolean;
  failing: boolean;
  pins: boolean | null;
}

@Injectable()
export class SyncVerifier implements OnModuleInit, BeforeApplicationShutdown {
  private readonly log = new Logger('SyncVerifier');
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly ds: DataSource,
    private readonly planner: SyncPlannerService,
    private readonly terminals: AttendanceTerminalService,
    private readonly attendance: AttendanceSyncService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
  ) {}

  onModuleInit(): void {
    const every = this.config.syncVerifyIntervalMs;
    if (every <= 0) return;
    // Ticks a few times per period (at most once a minute), so a due panel waits a fraction of the period.
    this.timer = setInterval(() => void this.tick(), Math.max(200, Math.min(60_000, Math.floor(every / 4))));
    this.timer.unref();
  }

  // Before the DataSource closes (stop-worker.ts).
  async beforeApplicationShutdown(): Promise<void> {
    await stopWorker([this.timer], this.running);
  }

  /** One tick (skipped while the previous one runs); answers how many panels were asked. */
  tick(): Promise<number> {
    if (this.running) return this.running;
    this.running = this.askDue()
      .catch((err) => {
        this.log.error(`periodic verification failed: ${(err as Error)?.stack ?? err}`);
        return 0;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * As leader: the devices that are due are planned against the database (a diff plan: nothing when the device is
   * known to hold what it should), then asked to count their users and rights rows. The plan is the safety net of
   * every path that could leave an item unsent with nothing owing its retry (an item released by a retry pass but
   * never planned): such a device sat divergent with nothing pending, and was never verified either (a
   * failing item left it out). A device with a failing item, or given commands by its plan, is not counted this
   * time (a count has one right answer only once they are done); it is due again next period.
   */
  async askDue(): Promise<number> {
    let asked = 0;
    await asLeader(this.ds, VERIFIER_LOCK, async () => {
      const due: Due[] = await this.ds.transaction(async (m) => {
        const rows: Due[] = await m.query(
          `SELECT d.id, d.sn, coalesce(d.kind_override, d.kind) IN ('att', 'facekiosk') AS terminal,
                  EXISTS (SELECT 1 FROM sync_item i WHERE i.device_id = d.id AND i.failures > 0) AS failing,
                  $6::float8 > 0 AND v.pins_at <= now() - make_interval(secs => $6) AS pins FROM device d
             LEFT JOIN sync_verify v ON v.device_id = d.id
            WHERE d.admission = 'admitted' AND coalesce(d.kind_override, d.kind) IN ('acc', 'ele', 'psg', 'att', 'facekiosk')
              AND d.last_seen_at >= now() - make_interval(secs => greatest(3 * coalesce(d.request_delay, $1), $2) * $4::float8 + $5::float8)
              AND coalesce(greatest(v.asked_at, d.registered_at), '-infinity') <= now() - make_interval(secs => $3)
              AND NOT EXISTS (SELECT 1 FROM sync_owed o WHERE o.device_id = d.id)
              AND NOT EXISTS (SELECT 1 FROM sync_item i WHERE i.device_id = d.id AND i.failures > 0 AND i.next_try_at IS NOT NULL AND i.next_try_at <> ${GIVEN_UP})
              AND NOT EXISTS (SELECT 1 FROM device_command c WHERE c.device_sn = d.sn AND c.state IN ('pending', 'sent'))
            ORDER BY greatest(v.asked_at, d.registered_at) NULLS FIRST, d.id
            LIMIT ${VERIFY_BATCH}`,
          // Online as the device status says it of a stored contact (online-window.ts): the window, a tenth, and the
          // flush interval (the contact of another process may not be written yet).
          [
            this.settings.requestDelay,
            this.settings.onlineFloorMs / 1000,
            this.config.syncVerifyIntervalMs / 1000,
            1 + ONLINE_SLACK,
            this.settings.lastSeenFlushMs / 1000,
            this.config.syncVerifyPinsIntervalMs / 1000,
          ],
        );
        if (rows.length) {
          // A panel's first verification starts its pin period (pins_at); its query is due a period on.
          await m.query(
            `INSERT INTO ${ASKED_INTO} SELECT id, now(), now() FROM unnest($1::char(32)[]) AS id
             ON CONFLICT (device_id) DO UPDATE SET ${ASKED_UPDATE}, pins_at = coalesce(sync_verify.pins_at, EXCLUDED.pins_at)`,
            [rows.map((d) => d.id)],
          );
        }
        return rows;
      });
      // One transaction per device: a large site's plans do not hold one long transaction open.
      for (const d of due) {
        await this.ds.transaction(async (m) => {
          if (d.terminal) await this.attendance.reconcileTerminal(m, d.id, null);
          else await this.planner.reconcileDevice(m, d.id, null);
          const [{ queued }] = await m.query(`SELECT EXISTS (SELECT 1 FROM device_command WHERE device_sn = $1 AND state = 'pending') AS queued`, [d.sn]);
          if (queued) this.log.warn(`device ${d.sn}: the periodic check found items it should hold and had not been sent; they are sent now`);
          if (queued || d.failing) return;
          if (d.terminal) await this.terminals.askUserCount(m, [d]);
          else await this.planner.queueVerify(m, d.sn, undefined, { pins: d.pins });
          asked++;
        });
      }
    });
    if (asked > 0) this.log.debug?.(`asked ${asked} panel(s) to count their users and rights`);
    return asked;
  }
}
