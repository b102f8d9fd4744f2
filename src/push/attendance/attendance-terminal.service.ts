import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { zoneOffsetMinutes } from '../../common/time';
import { AttTerminal } from '../../attendance/att-terminal.entity';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { excludedOf, insertOf, intoOf, listOf } from '../../database/columns';
import { afterCommit } from '../../database/after-commit';
import { CommandQueueService } from '../command-queue.service';
import type { DeviceSession } from '../device-registry.service';
import { clip } from '../device-registry.service';
import { forgetRefusalsSql } from '../device-refusals';
import { FUNCTION_SWITCH_TYPES, instantToWallClock, type KvMap } from '../protocol';
import { codePageOfLanguage, isCodePage, WESTERN, type CodePage } from '../../common/code-page';
import type { LegacyText } from '../device-body';
import { PUSH_SETTINGS, type PushSettings } from '../push-settings';
import { WorkSignalService } from '../work-signal.service';
import { onlineWindowMs, silentPast } from '../online-window';
import {
  ATT_CHECK,
  ATT_INFO,
  ATT_STAMP_TABLES,
  attQueryAttlog,
  bioPhotoWordOfInfo,
  bioPhotoWordOfOptions,
  formatAttInitReply,
  parseAttInfo,
  wantsTransFlagDigits,
  type AttStamps,
  type BioPhotoWord,
} from './protocol';
import { fromDatabaseClock } from '../../database/database-clock';
import { formatTimeZoneOption } from '../protocol/time';
import { stampTimeKey } from './attlog-batch';
import { rowCount } from '../../database/row-count';
import { SyncVerify } from '../../sync/sync-state.entity';
import { keepsStringPins } from '../../person/pin-value';

/** A terminal that initialised while admitted: for the first time in this database (`first`), or again (a reboot, a factory reset). */
export interface TerminalReadyEvent {
  deviceId: string;
  sn: string;
  first: boolean;
}

/**
 * Judges a user count a terminal reported, with its fingerprint count (null: not reported); answers false when it
 * cannot yet (commands of ours in flight), `again` when it judged and owes another count (fingers sent again: that
 * count sees them held).
 */
export type UserCountListener = (e: { deviceId: string; sn: string }, userCount: number, fpCount: number | null) => Promise<boolean | 'again'>;

/** The records of a person for a terminal's remote attendance request (manual 14); empty when there is none. */
/** `stringPins`: the terminal keeps PINs as written (keepsStringPins); else the PIN keyed in may be a zero-led pin's number. */
export type RemoteAttListener = (e: { deviceId: string; sn: string; stringPins: boolean }, pin: string) => Promise<string[]>;

/** Query parameters of the initialisation request kept for operators (no secrets: pushcommkey is dropped). */
const KEPT_HANDSHAKE_KEYS = ['pushver', 'language', 'DeviceType', 'PushOptionsFlag', 'options'];

/** `language=` of a terminal set to Chinese (attendance manual 5, 11.5). */
const CHINESE = '83';

/** SQL: the stored initialisation of the att_terminal row aliased `t` said Chinese (blanks around it ignored, as by initReply). */
const SAID_CHINESE = `coalesce(t.handshake->>'language' ~ '^\\s*${CHINESE}\\s*$', false)`;

/** The period a terminal was out of contact, widened by the slack. */
export interface ContactGap {
  from: Date;
  to: Date;
}

/** A terminal's last initialisation (att_terminal.last_contact_at, as text) when a user count it reports arrived. */
export interface CountMark {
  at: string | null;
}

/** Recovery windows start a little before the last contact and end a little after now (clocks drift). */
const GAP_SLACK_MS = 60_000;

/**
 * The INFO a terminal reported ($2, JSON); answers whether the row is new and the user count of the INFO it replaces
 * (the statement's snapshot: the row as it was), by which a count that dropped is told (noteInfo).
 */
/**
 * The options in which a terminal declares its template algorithms and turns its biometric functions on or off
 * (AttendanceSync loadTerminals reads them): a change plans its templates again.
 */
const TEMPLATE_OPTIONS = ['MultiBioVersion', 'FPVersion', 'ZKFPVersion', 'FaceVersion', ...FUNCTION_SWITCH_TYPES.map((s) => s.option)];

const NOTE_INFO = `WITH prev AS (SELECT t.info->>'userCount' AS users, t.info->>'attLogCount' AS logs, t.bio_photo AS photo,
      t.info->>'fpVersion' AS fp, t.info->>'faceVersion' AS face FROM att_terminal t WHERE t.device_id = $1)
  INSERT INTO ${insertOf(AttTerminal, ['deviceId', 'info', 'bioPhoto'])}
  ON CONFLICT (${listOf(AttTerminal, ['deviceId'])}) DO UPDATE SET ${excludedOf(AttTerminal, ['info'])}, updated_at = now(),
    bio_photo = CASE WHEN EXCLUDED.bio_photo IS NULL THEN att_terminal.bio_photo ELSE COALESCE(att_terminal.bio_photo, '{}'::jsonb) || EXCLUDED.bio_photo END
  RETURNING (xmax = 0) AS inserted, (SELECT users FROM prev) AS prev_users, (SELECT logs FROM prev) AS prev_logs,
    att_terminal.bio_photo IS DISTINCT FROM (SELECT photo FROM prev) AS photo_changed,
    (att_terminal.info->>'fpVersion' IS DISTINCT FROM (SELECT fp FROM prev) OR att_terminal.info->>'faceVersion' IS DISTINCT FROM (SELECT face FROM prev)) AS algorithms_changed`;

/**
 * Key of att_terminal.stamps set when a CHECK is queued (markCheck): the next initialisation answers
 * `ATTLOGStamp=0` once, and takes the key away.
 */
const CHECK_RESET = 'checkReset';

/**
 * Key of att_terminal.stamps set when the terminal's records were cleared (dataCleared: a reset, a fresh unit under
 * the SN, "clear data" at its menu): the Stamps held are its old records' and are dropped with it, and its next
 * initialisation hands Stamp 0 for every table, once, so that it uploads whatever it holds (manual 5 and 12.3.1:
 * "only the server resetting the timestamp to 0 is supported"), and takes the key and the Stamps away again.
 */
const STAMPS_CLEARED = 'cleared';

/** Key of att_terminal.stamps beside STAMPS_CLEARED: when its records were found cleared (the CHECKs sent since count). */
const CLEARED_AT = 'clearedAt';

/**
 * CHECKs for cleared records a terminal is sent at most (the first one included) while it neither runs one nor reads
 * its initialisation (each refused, lost or timed out): they go PushSettings.clearedCheckAgainMs apart, twice as far
 * each time (5, 10, 20, 40 and 80 minutes: about two and a half hours), and then it is left to its next boot, which
 * still hands it Stamp 0.
 */
export const CLEARED_CHECKS_MAX = 6;

/**
 * SQL ($1 device, $2 SN): the CHECKs queued for a terminal since its records were found cleared (all, those not yet
 * answered, those it ran); no row when it is not cleared (any more: it initialised since, in another process).
 */
const CLEARED_CHECKS = `SELECT count(c.id)::int AS sent, count(c.id) FILTER (WHERE c.state IN ('pending', 'sent'))::int AS open,
    count(c.id) FILTER (WHERE c.state = 'done')::int AS ran
  FROM att_terminal t LEFT JOIN device_command c ON c.device_sn = $2 AND c.command = '${ATT_CHECK}'
    AND c.created_at >= coalesce((t.stamps->>'${CLEARED_AT}')::timestamptz, t.last_contact_at, '-infinity'::timestamptz)
  WHERE t.device_id = $1 AND t.stamps ? '${STAMPS_CLEARED}' GROUP BY t.device_id`;

/**
 * SQL ($4: the SN; `t`: the att_terminal row) whether this initialisation is the terminal running a CHECK of ours
 * (12.3.1: it reads its initialisation again): a CHECK handed to it since its last initialisation whose result is
 * not in yet (the simulator and firmware re-read before they answer), or came within the minute. It is no reboot:
 * it owes no user count and no check, so that the gateway's own CHECK never makes more work (nor a CHECK again).
 */
const OWN_CHECK = `EXISTS (SELECT 1 FROM device_command c WHERE c.device_sn = $4 AND c.command = '${ATT_CHECK}' AND c.sent_at IS NOT NULL
    AND c.sent_at >= coalesce(t.last_contact_at, '-infinity'::timestamptz)
    AND (c.state = 'sent' OR (c.state = 'done' AND c.done_at > now() - interval '1 minute')))`;

/**
 * How long after a CHECK for the site's new offset a terminal still told the old one is sent CHECK again. A terminal
 * that runs it reads its initialisation at once; one that refused it (negative Return: busy, mid-enrolment) or whose
 * CHECK was lost for good would otherwise stay an hour off until it rebooted, and one that always refuses it costs a
 * command per this interval rather than one per poll.
 */
export const ZONE_CHECK_AGAIN_MS = 15 * 60_000;


/** Per attendance terminal: its language, its owed user count check and the TimeZone it was last told. */
interface TerminalStateRow {
  sn: string;
  due: boolean;
  chinese: boolean;
  told: number | null;
  /** `language=` of its last initialisation. */
  language?: string | null;
  /** The code page its text was found in (att_terminal.code_page). */
  code_page?: string | null;
  /** Its records were cleared and it has not initialised since (STAMPS_CLEARED). */
  cleared?: boolean;
}
const TERMINAL_STATES = `SELECT d.sn, t.count_due AS due, ${SAID_CHINESE} AS chinese, t.told_time_zone AS told, t.handshake->>'language' AS language, t.code_page,
    coalesce(t.stamps ? 'cleared', false) AS cleared
  FROM att_terminal t JOIN device d ON d.id = t.device_id WHERE true`;

/**
 * A terminal's initialisation ($1 device, $2 kept handshake JSON, $3 the TimeZone it is told, minutes): it owes a user count; answers its stamps, whether
 * the row is new and whether the initialisation before it said Chinese (`was_chinese`).
 */
const HANDSHAKE_UPSERT = `WITH prev AS (SELECT ${SAID_CHINESE} AS chinese, coalesce(t.stamps ? '${CHECK_RESET}', false) AS check_reset,
      coalesce(t.stamps ? '${STAMPS_CLEARED}', false) AS cleared, ${OWN_CHECK} AS own_check FROM att_terminal t WHERE t.device_id = $1)
  INSERT INTO ${intoOf(AttTerminal, ['deviceId', 'handshake', 'toldTimeZone', 'lastContactAt'])} VALUES ($1, $2::jsonb, $3, now())
  ON CONFLICT (${listOf(AttTerminal, ['deviceId'])}) DO UPDATE SET ${excludedOf(AttTerminal, ['handshake', 'toldTimeZone'])}, last_contact_at = now(), updated_at = now(),
    count_due = att_terminal.count_due OR NOT (SELECT own_check FROM prev),
    count_due_since = CASE WHEN att_terminal.count_due THEN coalesce(att_terminal.count_due_since, att_terminal.last_contact_at) WHEN NOT (SELECT own_check FROM prev) THEN now() END,
    stamps = CASE WHEN att_terminal.stamps ? '${STAMPS_CLEARED}' THEN '{}'::jsonb ELSE att_terminal.stamps - '${CHECK_RESET}' END,
    code_page = CASE WHEN att_terminal.handshake->>'language' IS NOT DISTINCT FROM EXCLUDED.handshake->>'language' THEN att_terminal.code_page END
  RETURNING stamps, (xmax = 0) AS inserted, coalesce((SELECT chinese FROM prev), false) AS was_chinese, coalesce((SELECT check_reset FROM prev), false) AS check_reset,
    coalesce((SELECT cleared FROM prev), false) AS cleared, coalesce((SELECT own_check FROM prev), false) AS own_check, code_page`;

/**
 * SQL ($1 device, $2 SN): whether the terminal holds a user it confirmed, and whether a command of ours is in flight
 * to it (zeroAgainstConfirmed).
 */
const CONFIRMED_USER_OR_SENDING = `SELECT EXISTS (SELECT 1 FROM sync_item WHERE device_id = $1 AND kind = 'user' AND hash IS NOT NULL AND hash <> '') AS held,
    EXISTS (SELECT 1 FROM device_command WHERE device_sn = $2 AND state IN ('pending', 'sent')) AS sending`;

/** When the periodic verification last asked a device (SyncVerifier): an initialisation is an ask. */
const VERIFY_ASKED_INTO = intoOf(SyncVerify, ['deviceId', 'askedAt']);

/** Forgets the refusals of a terminal ($1), owing it a full sync where one was for good. */
const FORGET_REFUSALS = forgetRefusalsSql('', 'r.device_id = $1');

/**
 * SQL ($1 device, $2 JSON): the keys a report names set in the terminal's word on comparison photos
 * (att_terminal.bio_photo, bio-photo.ts); a row only when that changed it.
 */
const NOTE_BIO_PHOTO = `WITH u AS (UPDATE att_terminal SET bio_photo = COALESCE(bio_photo, '{}'::jsonb) || $2::jsonb
  WHERE device_id = $1 AND NOT COALESCE(bio_photo @> $2::jsonb, false) RETURNING 1) SELECT count(*)::int AS n FROM u`;

/** SQL ($1 device): new firmware says anew whether it takes comparison photos; a row only when it had said anything. */
const FORGET_BIO_PHOTO = `WITH u AS (UPDATE att_terminal SET bio_photo = NULL WHERE device_id = $1 AND bio_photo IS NOT NULL RETURNING 1) SELECT count(*)::int AS n FROM u`;

/** Devices that speak the Attendance PUSH dialect. */
export function speaksAttendance(s: Pick<DeviceSession, 'kind'>): boolean {
  return s.kind === 'att' || s.kind === 'facekiosk';
}

/**
 * The session side of attendance terminals (Attendance PUSH 5, 9): the initialisation reply with the stamps
 * the terminal last uploaded, its INFO, and punch recovery. A terminal seen again after an outage (no contact
 * for longer than the online window) is asked for the punches of the gap (`DATA QUERY ATTLOG`): field
 * evidence shows scans made while the server was unreachable are not re-sent by themselves. The ATTLOG ingest
 * stores what comes back exactly once.
 */
@Injectable()
export class AttendanceTerminalService implements OnModuleInit {
  private readonly logger = new Logger('AttendanceTerminal');
  private readonly contacts = new Map<string, number>();
  private readonly infos = new Map<string, string>();
  /** Per SN, the firmware and address INFO last wrote to the device row (noteFirmwareAndAddress). */
  private readonly addresses = new Map<string, string>();
  private readonly known = new Set<string>();
  private readonly readyListeners: Array<(e: TerminalReadyEvent) => unknown> = [];
  /**
   * Terminals that initialised again and whose next INFO user count is to be checked (by SN): the column
   * att_terminal.count_due, held here so that a poll's INFO costs no query; loaded at start, so a restart
   * between the initialisation and that INFO keeps the check.
   */
  private readonly countDue = new Set<string>();
  /**
   * Terminals whose count is due and that polled without `INFO=` (by SN: when that was first seen), and those asked
   * by the INFO command instead (askInfo): firmware that reports INFO only after running a command (field sample
   * poll-aiface-adaptive), or never, would otherwise leave a reset unnoticed.
   */
  private readonly noInfoSince = new Map<string, number>();
  private readonly infoAsked = new Set<string>();
  /**
   * Terminals whose INFO reported 0 users while they held users they confirmed, judged once (zeroAgainstConfirmed),
   * and whose INFO has reported no user since: a further 0 is not judged until one does, so that firmware whose count
   * always reads 0 is not sent its users at every poll (the boot and the periodic verification still count it).
   */
  private readonly zeroJudged = new Set<string>();
  /**
   * Terminals found holding no user they confirmed, with no command of ours in flight (zeroAgainstConfirmed), by SN:
   * an empty terminal reports 0 users at every INFO poll all day, and asked the database each time. Forgotten as soon
   * as a user can come to be confirmed for it: a user is confirmed by a command it runs, and a command queued for it
   * raises its work signal in every gateway process (forgetConfirmedNone, WorkSignalService.onRaised); by an upload
   * of its users here (OPERLOG, BIODATA: forgetConfirmedNone); and its INFO reporting a user, a `device_changed` of it
   * or a gateway restart ask again. (Its users uploaded to another process alone are not heard of here: its clear at
   * the menu is then found by the periodic verification, which counts its users.)
   */
  private readonly confirmedNone = new Set<string>();
  /** SNs whose zeroAgainstConfirmed query is running: true once forgetConfirmedNone ran meanwhile (its answer may be old). */
  private readonly noneAsked = new Map<string, boolean>();
  private countListener?: UserCountListener;
  private remoteAttListener?: RemoteAttListener;
  private bioOptionsListener?: (e: { deviceId: string; sn: string }) => Promise<unknown>;
  /** Per SN, the biometric options its last options upload announced (noteOptions): a repeat plans nothing. */
  private readonly bioOptions = new Map<string, string>();
  /**
   * Terminals whose last initialisation said `language=83` (Chinese: GB2312 text, attendance manual 11.5), by SN:
   * the bodies of their uploads that are not UTF-8 are read as GBK, and they are answered in GBK (device-body.ts).
   * Loaded at start; an initialisation that changes it, here or in another gateway process on the same database,
   * sends the `device_changed` NOTIFY, on which every process reads the terminal's language again
   * (refreshLanguage), so that polls keep costing no query.
   */
  private readonly chinese = new Set<string>();
  /**
   * Per SN, the code page of the language its last initialisation announced, where that is not the Western one
   * (code-page.ts): lines of its uploads that are neither UTF-8 nor GBK are read in it. Loaded and refreshed with the
   * language.
   */
  private readonly languagePages = new Map<string, CodePage>();
  /**
   * Per SN, the code page its uploads were found in (att_terminal.code_page: older firmware that keeps names in its
   * menu language's code page, not UTF-8): its uploads are read, and its replies written, in it, so that a name it
   * sent comes back to it as it holds it. Forgotten when it initialises with another language.
   */
  private readonly foundPages = new Map<string, CodePage>();
  /**
   * Per SN, the TransFlag form its last initialisation here was answered with (`names`: format II, `digits`: format I,
   * `checked`: names, and a CHECK has been queued since so that it reads the digits; see noteTransFlagForm).
   */
  private readonly transFlagForms = new Map<string, 'names' | 'digits' | 'checked'>();
  /**
   * Per SN, the TimeZone (minutes) its last initialisation here told it. The terminal keeps that offset until it reads
   * its initialisation again, and the site's offset changes twice a year where daylight saving time is kept: until
   * then its clock, and every punch it records, is an hour off (wantsZoneCheck). Kept in att_terminal.told_time_zone
   * too, read at start and on `device_changed`, so that a restart or another process still owes the CHECK.
   */
  private readonly toldZones = new Map<string, number>();
  /** Per SN, when (ms) a CHECK for the site's new offset was last queued (wantsZoneCheck); cleared by an initialisation. */
  private readonly zoneChecks = new Map<string, number>();
  /**
   * Per SN, terminals whose records were cleared and that have not initialised since (att_terminal.stamps holds
   * STAMPS_CLEARED), with when (ms) a CHECK for it was last queued or the state was learnt: sent CHECK again
   * PushSettings.clearedCheckAgainMs on (wantsCheck): one that refused it (negative Return: busy,
   * in its menu) or never got it would keep the old mark its new records lie below until it happens to reboot. Loaded at start and on `device_changed`.
   */
  private readonly clearedChecks = new Map<string, { at: number; tries: number }>();
  /**
   * Terminals whose records were cleared that are sent no CHECK for it any more (sendCheck): one that ran a CHECK
   * without reading its initialisation (firmware that only polls with INFO), or refused or lost CLEARED_CHECKS_MAX of
   * them. Until it initialises or is found cleared again; a process that learns the state anew finds that out again
   * from the commands sent, without sending one.
   */
  private readonly clearedSettled = new Set<string>();
  /** The site's offset now, computed at most once a minute (polls ask for it). */
  private zoneNow: { minute: number; zone: string; offset: number } | null = null;
  /** Why the CHECK wantsCheck chose is sent, per SN (logged by sendCheck). */
  private readonly checkWhy = new Map<string, 'zone' | 'cleared'>();
  /** The language reloads, one after the other in the order of the notifications (the last one read wins). */
  private languageReloads: Promise<void> = Promise.resolve();

  constructor(
    private readonly ds: DataSource,
    private readonly queue: CommandQueueService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PUSH_SETTINGS) private readonly settings: PushSettings,
    private readonly signal: WorkSignalService,
  ) {}

  async onModuleInit(): Promise<void> {
    // Listening first: a change notified while the start-up read runs is read again after it.
    this.signal.onDeviceChanged((sn) => this.refreshLanguage(sn));
    this.signal.onRaised((sn) => this.forgetConfirmedNone(sn));
    for (const r of await this.ds.query<TerminalStateRow[]>(TERMINAL_STATES)) {
      if (r.due) this.countDue.add(r.sn);
      if (r.chinese) this.chinese.add(r.sn);
      this.noteCodePages(r.sn, r.language ?? null, r.code_page ?? null);
      if (r.told !== null) this.toldZones.set(r.sn, r.told);
      if (r.cleared) this.clearedChecks.set(r.sn, { at: Date.now(), tries: 1 });
    }
  }

  /**
   * A device row changed in some gateway process (`device_changed`, WorkSignalService; null: notifications may have
   * been lost): the language of that terminal (of every terminal) is read again. One query per notification, none
   * per poll; the reads run one after the other, so the one of the latest notification is applied last.
   */
  refreshLanguage(sn: string | null): Promise<void> {
    this.languageReloads = this.languageReloads
      .then(() => this.reloadLanguage(sn))
      .catch((err) => this.logger.warn(`could not read the language of ${sn ?? 'the terminals'} again: ${(err as Error)?.message ?? err}`));
    return this.languageReloads;
  }

  private async reloadLanguage(sn: string | null): Promise<void> {
    if (sn === null) {
      const rows = await this.ds.query<TerminalStateRow[]>(TERMINAL_STATES);
      this.chinese.clear();
      this.languagePages.clear();
      this.foundPages.clear();
      this.countDue.clear();
      this.confirmedNone.clear();
      for (const sn of this.noneAsked.keys()) this.noneAsked.set(sn, true);
      for (const r of rows) this.noteTerminalState(r.sn, r);
      return;
    }
    this.forgetConfirmedNone(sn);
    const [row] = await this.ds.query<TerminalStateRow[]>(`${TERMINAL_STATES} AND d.sn = $1`, [sn]);
    this.noteTerminalState(sn, row ?? { chinese: false, due: false, told: null });
  }

  /**
   * A terminal's language, the TimeZone it was last told and owed user count check as the database holds them. A check owed that this process did
   * not know of (the terminal initialised against another process) also forgets the INFO last read, so that the
   * terminal's next INFO is read whatever it says.
   */
  private noteTerminalState(sn: string, row: Omit<TerminalStateRow, 'sn'>): void {
    if (row.chinese) this.chinese.add(sn);
    else this.chinese.delete(sn);
    this.noteCodePages(sn, row.language ?? null, row.code_page ?? null);
    this.noteToldZone(sn, row.told);
    if (row.due && !this.countDue.has(sn)) this.oweCount(sn); else if (!row.due) this.countDue.delete(sn);
    if (!row.cleared) {
      this.clearedChecks.delete(sn);
      this.clearedSettled.delete(sn);
    } else if (!this.clearedChecks.has(sn) && !this.clearedSettled.has(sn)) this.clearedChecks.set(sn, { at: Date.now(), tries: 1 });
  }

  /** The terminal announced Chinese (`language=83`) at its last initialisation: memory only. */
  speaksChinese(sn: string): boolean {
    return this.chinese.size > 0 && this.chinese.has(sn);
  }

  /** How the terminal's text that is not UTF-8 is read (device-body.ts decodeDeviceBody); null: the Western page. Memory only. */
  uploadText(sn: string): LegacyText | null {
    if (this.speaksChinese(sn)) return 'gbk';
    return this.foundPages.get(sn) ?? this.languagePages.get(sn) ?? null;
  }

  /** The encoding its replies are written in (device-body.ts deviceReply); null: UTF-8. Memory only. */
  replyText(sn: string): LegacyText | null {
    if (this.speaksChinese(sn)) return 'gbk';
    return this.foundPages.size > 0 ? (this.foundPages.get(sn) ?? null) : null;
  }

  /**
   * An upload of the terminal had text in a code page (neither UTF-8 nor GBK): it is older firmware that holds names
   * there, and is answered in it from now on, in every gateway process (`device_changed`). Once per change.
   */
  async noteCodePage(s: DeviceSession, page: CodePage): Promise<void> {
    if (!speaksAttendance(s) || this.speaksChinese(s.sn) || this.foundPages.get(s.sn) === page) return;
    await this.ds.transaction(async (m) => {
      await m.query(`UPDATE att_terminal SET code_page = $2, updated_at = now() WHERE device_id = $1`, [s.id, page]);
      await this.signal.notifyDeviceChanged(m, s.sn);
    });
    this.foundPages.set(s.sn, page);
    this.logger.log(`terminal ${s.sn} sent text in ${page}, not UTF-8: its text is read and written in ${page}`);
  }

  /**
   * The terminal now writes UTF-8 where it wrote a code page (`why`: an upload of users in UTF-8 beyond ASCII, its
   * firmware changed, or its options say so): firmware upgraded to the manual's UTF-8 (1.2) reads every reply as
   * UTF-8 whatever its Content-Type, so answering it in the learnt page would garble every accented name it is sent.
   * The page is forgotten, in every gateway process (`device_changed`); a firmware still writing it teaches it again
   * with its next upload of users. Memory only when nothing was learnt.
   */
  async forgetCodePage(s: Pick<DeviceSession, 'id' | 'sn'>, why: string): Promise<void> {
    const page = this.foundPages.get(s.sn);
    if (page === undefined) return;
    await this.ds.transaction(async (m) => {
      await m.query(`UPDATE att_terminal SET code_page = NULL, updated_at = now() WHERE device_id = $1`, [s.id]);
      await this.signal.notifyDeviceChanged(m, s.sn);
    });
    this.foundPages.delete(s.sn);
    this.logger.log(`terminal ${s.sn} ${why}: its text is read and written in UTF-8 again, not ${page}`);
  }

  /** Whether a code page was learnt for the terminal (noteCodePage). Memory only. */
  writesCodePage(sn: string): boolean {
    return this.foundPages.size > 0 && this.foundPages.has(sn);
  }

  /**
   * A firmware the terminal names (options `FWVersion`/`FirmVer`, INFO's first field): one other than the firmware
   * held for it is an upgrade, after which a learnt code page is no longer known to hold (forgetCodePage), and what
   * the old firmware refused for good may be taken (its refusals are forgotten and a full sync owed, as when a panel
   * registers with another firmware: device-refusals.ts). The same firmware spelt another way (INFO's
   * `ZAM180-NF50VA-3.4.9` and the options' `ZAM180-NF50VA-Ver3.4.9`) is none. Runs at an options push or an INFO
   * naming another firmware than the last one written, not per poll. What the old firmware said of comparison photos is
   * forgotten too: the new one says it anew (or not: then it is sent none). Answers whether that forgot any word.
   */
  private async noteFirmware(s: Pick<DeviceSession, 'id' | 'sn'>, firmware: string | null): Promise<boolean> {
    if (firmware === null) return false;
    const [row]: Array<{ firm_ver: string | null; refusals: number }> = await this.ds.query(
      `SELECT d.firm_ver, (SELECT count(*)::int FROM device_refusal r WHERE r.device_id = d.id) AS refusals FROM device d WHERE d.id = $1`,
      [s.id],
    );
    if (!row?.firm_ver || sameFirmware(row.firm_ver, firmware)) return false;
    if (this.writesCodePage(s.sn)) await this.forgetCodePage(s, `runs new firmware (${row.firm_ver} -> ${firmware})`);
    const forgot = rowCount(await this.ds.query(FORGET_BIO_PHOTO, [s.id])) > 0;
    if (row.refusals === 0) return forgot;
    await this.ds.query(FORGET_REFUSALS, [s.id]);
    this.logger.log(`terminal ${s.sn} runs new firmware (${row.firm_ver} -> ${firmware}): the ${row.refusals} refusal(s) of the old one are forgotten`);
    return forgot;
  }

  /** Writes what a report says of comparison photos (NOTE_BIO_PHOTO); answers whether the terminal's word changed. */
  private async noteBioPhotoWord(s: Pick<DeviceSession, 'id'>, word: BioPhotoWord | null): Promise<boolean> {
    if (word === null) return false;
    return rowCount(await this.ds.query(NOTE_BIO_PHOTO, [s.id, JSON.stringify(word)])) > 0;
  }

  private noteCodePages(sn: string, language: string | null, found: string | null): void {
    const byLanguage = codePageOfLanguage(language);
    if (byLanguage !== null && byLanguage !== WESTERN) this.languagePages.set(sn, byLanguage);
    else this.languagePages.delete(sn);
    if (isCodePage(found)) this.foundPages.set(sn, found);
    else this.foundPages.delete(sn);
  }

  /** Called when a terminal initialises while admitted (first time: it is owed its users; again: they are verified). */
  onTerminalReady(fn: (e: TerminalReadyEvent) => unknown): void {
    this.readyListeners.push(fn);
  }

  /**
   * Called with the user count (INFO value 2, manual 9) of the first INFO after a terminal initialised again,
   * until the listener could judge it: Attendance PUSH has no DATA COUNT, so this is how a re-registration is
   * checked against the users the terminal confirmed (a factory reset shows as 0 users).
   */
  onUserCount(fn: UserCountListener): void {
    this.countListener = fn;
  }

  /**
   * Called, before the terminal is answered, when its options upload announces biometric types other than the
   * last it announced (MultiBioDataSupport, BioDataFun, MultiBioPhotoSupport, BioPhotoFun): which templates and
   * comparison photos it takes, and in which dialect, follow from them (attendance manual 3.1), so it is planned again.
   */
  onBioOptions(fn: (e: { deviceId: string; sn: string }) => Promise<unknown>): void {
    this.bioOptionsListener = fn;
  }

  /**
   * A CHECK queued for the terminal, in the caller's transaction (attendance manual 12.3.1): the terminal re-reads
   * its initialisation and uploads again from the Stamps it is given, and the manual's server does that by handing
   * back Stamp 0. Kept until the next initialisation (the terminal's own re-read, or a reboot before it), which
   * answers it once.
   */
  async markCheck(m: EntityManager, deviceId: string): Promise<void> {
    await m.query(`UPDATE att_terminal SET stamps = coalesce(stamps, '{}'::jsonb) || jsonb_build_object('${CHECK_RESET}', 'ATTLOG'), updated_at = now() WHERE device_id = $1`, [deviceId]);
  }

  /**
   * CLEAR PHOTO queued for the terminal (attendance manual 12.2.2: it clears its attendance photos), in the caller's
   * transaction: its ATTPHOTO Stamp (PhotoStamp) is dropped, its other tables' kept. The photos it takes afterwards
   * start again under new Stamps, below the one held: that one, never lowered by an upload and handed back at its next
   * initialisation, made it skip them (firmware uploads what is newer than its Stamp). Handed `None` instead, it
   * uploads what it holds, and its next upload's Stamp is taken.
   */
  async photosCleared(m: EntityManager, deviceId: string): Promise<void> {
    await m.query(`UPDATE att_terminal SET stamps = stamps - 'ATTPHOTO' - '${stampTimeKey('ATTPHOTO')}', updated_at = now() WHERE device_id = $1 AND stamps ? 'ATTPHOTO'`, [deviceId]);
  }

  /**
   * The terminal's records were cleared (a reset or a fresh unit under its SN, "clear data" at its menu, a CLEAR of
   * ours), in the caller's transaction: its records start again under new Stamps, so the ones held, its old
   * records', are dropped (an upload's lower Stamp is then taken, not refused as going backwards), and its next
   * initialisation hands Stamp 0 (STAMPS_CLEARED). With `check`, it is sent CHECK (12.3.1) to read that
   * initialisation now, unless one is waiting for it already: else the initialisation it made before we knew
   * handed it its old, higher Stamps, and whatever it records and fails to send at once is never sent (firmware
   * uploads what is newer than its Stamp). That CHECK's initialisation owes no user count (OWN_CHECK).
   */
  async dataCleared(m: EntityManager, t: { id: string; sn: string }, why: string, check = true): Promise<void> {
    await m.query(
      `UPDATE att_terminal SET stamps = jsonb_build_object('${STAMPS_CLEARED}', $2::text, '${CLEARED_AT}', now()), updated_at = now() WHERE device_id = $1`,
      [t.id, why.slice(0, 100)],
    );
    // The other processes learn it too: whichever the terminal polls sends the CHECK again if it is not read.
    await this.signal.notifyDeviceChanged(m, t.sn);
    afterCommit(m, () => {
      this.clearedSettled.delete(t.sn);
      this.clearedChecks.set(t.sn, { at: Date.now(), tries: 1 });
    });
    if (!check) return;
    const [waiting] = await m.query(`SELECT 1 FROM device_command WHERE device_sn = $1 AND command = '${ATT_CHECK}' AND state = 'pending' LIMIT 1`, [t.sn]);
    if (!waiting) await this.queue.enqueue(m, t.sn, [ATT_CHECK]);
    this.logger.log(`terminal ${t.sn}: ${why}: its Stamps are dropped and it is handed Stamp 0${check ? ' (CHECK)' : ''}, so that it uploads what it holds`);
  }

  /**
   * The terminal's Stamps as they stand, locked for the caller's transaction: a CLEAR or CHECK about to be queued
   * keeps them in its command (`stampsBefore`), so that removing it unqueued (undoQueued) can put them back.
   */
  async stampsBefore(m: EntityManager, deviceId: string): Promise<Record<string, string>> {
    return (await this.lockedStamps(m, deviceId)) ?? {};
  }

  /** The terminal's Stamps, its row locked for the caller's transaction; undefined for a device with no terminal row. */
  private async lockedStamps(m: EntityManager, deviceId: string): Promise<Record<string, string> | undefined> {
    const [r]: Array<{ stamps: Record<string, string> | null }> = await m.query(`SELECT stamps FROM att_terminal WHERE device_id = $1 FOR UPDATE`, [deviceId]);
    return r ? (r.stamps ?? {}) : undefined;
  }

  /**
   * CLEAR LOG / CLEAR DATA / CLEAR PHOTO / CHECK commands removed from the queue before the terminal fetched them
   * (Clear commands), in the caller's transaction: they never ran, so the terminal's Stamps are as if they had never
   * been queued. Queueing one dropped them (dataCleared, photosCleared) or marked a Stamp 0 (markCheck); left so, the
   * terminal would be handed Stamp 0 at its next initialisation and upload its whole log again for nothing (and
   * be sent CHECKs for a clear that never happened). `before` is what the earliest of them kept (stampsBefore); the
   * Stamps uploads brought since are newer and kept over it. A mark not of theirs any more (a reset found since,
   * or an initialisation that already handed Stamp 0 and took it away) is left: that is what happened.
   */
  async undoQueued(m: EntityManager, t: { id: string; sn: string }, before: Record<string, string>, clearMarks: readonly string[]): Promise<boolean> {
    const now = await this.lockedStamps(m, t.id);
    if (!now) return false;
    const cleared = now[STAMPS_CLEARED];
    if (clearMarks.length ? !clearMarks.includes(cleared) : cleared !== before[STAMPS_CLEARED]) return false;
    const since = Object.fromEntries(Object.entries(now).filter(([k]) => k !== STAMPS_CLEARED && k !== CLEARED_AT && k !== CHECK_RESET));
    const restored = { ...before, ...since };
    await m.query(`UPDATE att_terminal SET stamps = $2::jsonb, updated_at = now() WHERE device_id = $1`, [t.id, JSON.stringify(restored)]);
    await this.signal.notifyDeviceChanged(m, t.sn);
    if (!(STAMPS_CLEARED in restored)) {
      afterCommit(m, () => {
        this.clearedChecks.delete(t.sn);
        this.clearedSettled.delete(t.sn);
      });
    }
    this.logger.log(`terminal ${t.sn}: its queued ${clearMarks.length ? 'clear' : 'CHECK'} was removed unsent: its Stamps are put back as they were`);
    return true;
  }

  /** Answers remote attendance requests (manual 14) with the person's records. */
  onRemoteAtt(fn: RemoteAttListener): void {
    this.remoteAttListener = fn;
  }

  /**
   * `GET /iclock/cdata?SN=&table=RemoteAtt&PIN=` (manual 14): the person's `DATA UPDATE USERINFO` and template
   * records, LF-joined, for an admitted terminal; `OK` when the PIN is nobody's. Not an initialisation.
   */
  async remoteAttReply(s: DeviceSession, pin: string | undefined): Promise<string> {
    await this.noteContact(s);
    const key = (pin ?? '').trim();
    if (!key || !this.remoteAttListener) return 'OK';
    const lines = await this.remoteAttListener({ deviceId: s.id, sn: s.sn, stringPins: keepsStringPins(s.capabilities) }, key.slice(0, 64));
    return lines.length ? lines.join('\n') : 'OK';
  }

  /** `GET /iclock/cdata?options=all` of an admitted terminal: the `GET OPTION FROM` block (section 5). */
  async initReply(s: DeviceSession, query: Record<string, string>): Promise<string> {
    const kept = Object.fromEntries(Object.entries(query).filter(([k]) => KEPT_HANDSHAKE_KEYS.includes(k)).map(([k, v]) => [k, v.slice(0, 64)]));
    const chinese = kept.language?.trim() === CHINESE;
    // A change of language is told to the other gateway processes (they answer the terminal too), with the row.
    // The offset it is told is kept with the terminal: a gateway restarted before the site's offset changes still owes it a CHECK.
    const timeZoneMinutes = zoneOffsetMinutes(new Date(), this.config.timeZone);
    const row = await this.ds.transaction(async (m) => {
      // The row locked first: the upsert reads the marks it answers (a CHECK's, cleared records) in its snapshot and
      // consumes them on the newest row. A mark committed while it waited on the row (an operator's CHECK queued as
      // the terminal reboots) was consumed unanswered: its old Stamps handed, and nothing left for the CHECK's re-read.
      await m.query(`SELECT 1 FROM att_terminal WHERE device_id = $1 FOR UPDATE`, [s.id]);
      const [r]: Array<{ stamps: Record<string, string> | null; inserted: boolean; was_chinese: boolean; check_reset: boolean; cleared: boolean; own_check: boolean; code_page: string | null }> =
        await m.query(HANDSHAKE_UPSERT, [s.id, JSON.stringify(kept), timeZoneMinutes, s.sn]);
      // An initialisation owes its own user count (count_due), as a panel's registration queues its count: it counts as
      // the periodic verification's ask (SyncVerifier), or a terminal the gateway had not asked yet (every one, after
      // a start) was asked again by the INFO command a minute on, the count it had just made due still on its way.
      if (r && (r.inserted || !r.own_check)) await m.query(`INSERT INTO ${VERIFY_ASKED_INTO} VALUES ($1, now()) ON CONFLICT (device_id) DO UPDATE SET asked_at = now()`, [s.id]);
      // So is an initialisation again (the user count check it makes due, att_terminal.count_due): the terminal's next
      // INFO may reach another process, which must make the check (rare: once per terminal boot).
      if (r && (r.was_chinese !== chinese || !r.inserted)) await this.signal.notifyDeviceChanged(m, s.sn);
      return r;
    });
    this.known.add(s.sn);
    if (chinese) this.chinese.add(s.sn);
    else this.chinese.delete(s.sn);
    this.noteCodePages(s.sn, kept.language ?? null, row?.code_page ?? null);
    // The terminal running a CHECK of ours reads its initialisation again: no reboot, nothing owed (OWN_CHECK).
    const ownCheck = !row?.inserted && !!row?.own_check;
    if (!row?.inserted && !ownCheck) {
      this.oweCount(s.sn);
      this.addresses.delete(s.sn);
    }
    if (!ownCheck) await this.fireReady({ deviceId: s.id, sn: s.sn, first: !!row?.inserted });
    const stamps: AttStamps = { ...(row?.stamps ?? {}) };
    // Its records were cleared (dataCleared): Stamp 0 for every table, so that it uploads what it holds (each punch
    // stored once, by SN, PIN and time); the Stamps of its new uploads are held from here on.
    if (row?.cleared) for (const table of ATT_STAMP_TABLES) stamps[table] = '0';
    this.clearedChecks.delete(s.sn);
    this.clearedSettled.delete(s.sn);
    // A CHECK was queued (12.3.1): "only the server resetting the timestamp to 0 is supported", so this
    // initialisation hands back ATTLOGStamp=0 and the terminal uploads its attendance records again (each stored
    // once). The Stamp held is kept: later uploads carry it forward as before.
    if (row?.check_reset) stamps.ATTLOG = '0';
    // Format I for Push 3.x firmware: by the pushver it announces, or by the PushVersion its options last reported
    // (a 3.1.x unit can announce pushver=2.4.1, field notes 14 and hs-speedface-v5l-zam230-att).
    const transFlagDigits =
      wantsTransFlagDigits(Object.entries(query).find(([k]) => k.toLowerCase() === 'pushver')?.[1]) || wantsTransFlagDigits(await this.reportedPushVersion(s.sn));
    this.transFlagForms.set(s.sn, transFlagDigits ? 'digits' : 'names');
    this.noteToldZone(s.sn, timeZoneMinutes);
    return formatAttInitReply(s.sn, {
      stamps,
      errorDelay: this.settings.errorDelay,
      delay: s.requestDelay ?? this.settings.requestDelay,
      timeZoneMinutes,
      transFlagDigits,
      registryCode: s.registered ? s.registryCode : null,
    });
  }

  /** The `PushVersion` of the terminal's latest options upload that names one (section 8), if any. */
  private async reportedPushVersion(sn: string): Promise<string | undefined> {
    const [row]: Array<{ v: string | null }> = await this.ds.query(
      `SELECT COALESCE(u.record->>'PushVersion', u.record->>'~PushVersion') AS v FROM device_upload u
        WHERE u.device_sn = $1 AND u.table_name = 'options' AND (u.record ? 'PushVersion' OR u.record ? '~PushVersion') ORDER BY u.id DESC LIMIT 1`,
      [sn],
    );
    return row?.v ?? undefined;
  }

  /**
   * A terminal answered with the TransFlag names whose options (pushed right after) report Push 3.x firmware: handed
   * the names, such firmware transmits nothing (field notes 14), so it is sent CHECK (12.3.1), on which it reads its
   * initialisation again, now with the digits. Once per initialisation answered with the names.
   */
  private async noteTransFlagForm(s: DeviceSession, options: KvMap): Promise<void> {
    if (this.transFlagForms.get(s.sn) !== 'names' || s.admission !== 'admitted') return;
    const reported = options.text('PushVersion');
    if (!wantsTransFlagDigits(reported)) return;
    this.transFlagForms.set(s.sn, 'checked');
    this.logger.log(`terminal ${s.sn} reports PushVersion ${reported} but announced an older pushver: CHECK, so that it reads TransFlag in digits`);
    await this.ds.transaction((m) => this.queue.enqueue(m, s.sn, [ATT_CHECK]));
  }

  /**
   * Awaited before the terminal is answered: the work a terminal is owed is recorded before it can poll for it
   * (an initialisation is rare; a failing listener is logged, never passed to the terminal).
   */
  private async fireReady(e: TerminalReadyEvent): Promise<void> {
    for (const fn of this.readyListeners) {
      try {
        await fn(e);
      } catch (err) {
        this.logger.error(`terminal-ready listener failed for ${e.sn}: ${(err as Error)?.stack ?? err}`);
      }
    }
  }

  /**
   * Every request of a terminal: memory only, unless it comes back after an outage (then the gap is queued for
   * recovery).
   */
  async noteContact(s: DeviceSession, now = Date.now()): Promise<void> {
    const gap = this.contactGap(s, now);
    if (gap) await this.recoverGap(s, gap.from, gap.to);
  }

  /**
   * Notes a contact of a terminal, in memory and synchronously (the idle poll calls it): the recovery window
   * when the terminal comes back after an outage (silent for long enough to read offline), else null.
   * The previous contact is this process's memory, else the stored last_seen_at of the session.
   */
  contactGap(s: DeviceSession, now = Date.now()): ContactGap | null {
    if (!speaksAttendance(s) || s.admission !== 'admitted') return null;
    const mem = this.contacts.get(s.sn);
    const prev = mem ?? (s.lastSeenAt ? fromDatabaseClock(s.lastSeenAt) : null);
    this.contacts.set(s.sn, now);
    if (prev === null) return null;
    // An outage is what the device status calls offline (online-window.ts): a late idle poll is neither. A stored
    // contact may be a flush interval older than the last one another process had (`lagMs`).
    if (!silentPast(now - prev, onlineWindowMs(s.requestDelay, this.settings), mem === undefined ? this.settings.lastSeenFlushMs : 0)) return null;
    this.logger.log(`terminal ${s.sn} is back after ${Math.round((now - prev) / 1000)} s: asking for the punches of the gap`);
    return { from: new Date(prev - GAP_SLACK_MS), to: new Date(now + GAP_SLACK_MS) };
  }

  /** Queues `DATA QUERY ATTLOG StartTime=<HT>EndTime=` in the terminal's wall clock. */
  async recoverGap(s: Pick<DeviceSession, 'sn' | 'timeZone'>, from: Date, to: Date): Promise<string> {
    return this.ds.transaction((m) => this.queueRecovery(m, s, from, to));
  }

  /** `recoverGap` in the caller's transaction (an operator's recovery takes the command's id in it, to follow its Return). */
  async queueRecovery(m: EntityManager, s: Pick<DeviceSession, 'sn' | 'timeZone'>, from: Date, to: Date): Promise<string> {
    const command = attQueryAttlog(instantToWallClock(from, s.timeZone), instantToWallClock(to, s.timeZone));
    await this.queue.enqueue(m, s.sn, [command]);
    return command;
  }

  /**
   * `table=options` of a terminal (section 8, asked for with PushOptions): its model and firmware become the
   * device's, since a terminal never registers (they are what `device/getAtt` shows as `type`).
   */
  async noteOptions(s: DeviceSession, options: KvMap): Promise<void> {
    const name = clip(options.text('DeviceName') ?? null, 100);
    const firm = clip(options.text('FirmVer') ?? options.text('FWVersion') ?? null, 100);
    // The firmware first: new firmware forgets what the old one said of comparison photos, which these options say anew.
    const forgot = await this.noteFirmware(s, firm);
    await this.noteBioOptions(s, options, forgot);
    await this.noteTransFlagForm(s, options);
    const encoding = options.text('Encoding') ?? options.text('Charset');
    if (encoding && /^\s*utf-?8\s*$/i.test(encoding)) await this.forgetCodePage(s, `says Encoding=${encoding}`);
    // Its push client's version (`PushVersion=Ver 2.0.33S-…`), what a panel's registration gives `pushVersion`.
    const pushVersion = clip(options.text('PushVersion') ?? null, 64);
    if (!name && !firm && !pushVersion) return;
    await this.ds.query(
      `UPDATE device SET device_name = COALESCE($2, device_name), firm_ver = COALESCE($3, firm_ver), push_version = COALESCE($4, push_version), updated_at = now()
        WHERE id = $1 AND (device_name IS DISTINCT FROM COALESCE($2, device_name) OR firm_ver IS DISTINCT FROM COALESCE($3, firm_ver)
                           OR push_version IS DISTINCT FROM COALESCE($4, push_version))`,
      [s.id, name, firm, pushVersion],
    );
  }

  private async noteBioOptions(s: DeviceSession, options: KvMap, forgotPhotoWord: boolean): Promise<void> {
    const multiBio = options.text('MultiBioDataSupport');
    const bioDataFun = options.text('BioDataFun');
    // BioPhotoFun and MultiBioPhotoSupport: whether it is sent comparison photos follows from them (3.1, 12.1.1.8),
    // kept as its word on them (they may come from its INFO too); written before it is planned.
    const photoChanged = (await this.noteBioPhotoWord(s, bioPhotoWordOfOptions(options))) || forgotPhotoWord;
    // Options without either (another unit under the same SN, older firmware, or a push of changed options only)
    // are planned once too: the dialect is decided from the options since the initialisation (loadTerminals).
    // The algorithm versions it declares too (MultiBioVersion, FPVersion...): templates of another version wait for
    // them; and its function switches (FingerFunOn...): templates of a function it turned off are not sent.
    const said = [multiBio, bioDataFun, options.text('MultiBioPhotoSupport'), options.text('BioPhotoFun'), ...TEMPLATE_OPTIONS.map((k) => options.text(k))]
      .map((x) => x ?? '')
      .join('\t');
    if (this.bioOptions.get(s.sn) === said && !photoChanged) return;
    if (await this.planBio(s)) this.bioOptions.set(s.sn, said);
  }

  /** Plans the terminal again for the biometric types and comparison photos it announced (onBioOptions); false when that failed. */
  private async planBio(s: DeviceSession): Promise<boolean> {
    if (s.admission !== 'admitted' || !this.bioOptionsListener) return false;
    try {
      await this.bioOptionsListener({ deviceId: s.id, sn: s.sn });
      return true;
    } catch (err) {
      // Planned again at its next options upload or INFO, or by the reconciler; the upload itself is stored.
      this.logger.error(`terminal ${s.sn}: planning its templates for the biometric types it announced failed: ${(err as Error)?.stack ?? err}`);
      return false;
    }
  }

  /**
   * `table=options` of a terminal (manual 8). Firmware that pushes its options after its initialisation puts its counts
   * in them, as the INFO command's result does (field samples opt-speedface-v5l-zam180, opt-senseface2a-zam70-3312:
   * `UserCount=`, `FPCount=`): the count that initialisation owes, judged at once, as the result's is. Without it a
   * reset terminal polling without INFO got its users back only a poll interval later, through the INFO command.
   * The initialisation it counted under is read before anything else of the push (countMark).
   */
  async noteOptionsPush(s: DeviceSession, options: KvMap): Promise<void> {
    const mark = options.int('UserCount') !== null ? await this.countMark(s) : undefined;
    await this.noteInfoResult(s, options, mark);
  }

  /**
   * The key=value lines of an INFO command's result (12.4.3): its model (`~DeviceName`), firmware (`FWVersion`) and
   * address (`IPAddress`) become the device's, as from `table=options` and the INFO of a poll. Options pushed with
   * counts are read here too (noteOptionsPush).
   */
  async noteInfoResult(s: DeviceSession, info: KvMap, mark: CountMark | undefined): Promise<void> {
    await this.noteOptions(s, info);
    const ip = clip(info.text('IPAddress') ?? null, 64);
    if (ip) await this.noteFirmwareAndAddress(s, null, ip);
    // Its user count (field sample cmd-info-biopro-sa40: `UserCount=1`) is the check a re-initialisation owes, its
    // fingerprint count (`FPCount=`) judged with it.
    const users = info.int('UserCount');
    if (users !== null && users > 0) this.userReported(s.sn);
    if (users !== null && users >= 0) await this.judgeCount(s, users, info.int('FPCount'), mark);
  }

  /**
   * The terminal's last initialisation as a request carrying its user count arrives (a poll's INFO, the INFO command's
   * result), read before anything else of that request: the count was made under it. Undefined when no count was owed
   * then: one made due while the request ran (a reboot, here) is owed by an initialisation after the count, which the
   * count does not answer. Costs a query only while a count is owed.
   */
  async countMark(s: Pick<DeviceSession, 'id' | 'sn'>): Promise<CountMark | undefined> {
    return this.countDue.has(s.sn) ? this.lastInitialisation(s) : undefined;
  }

  private async lastInitialisation(s: Pick<DeviceSession, 'id'>): Promise<CountMark> {
    // As text: a Date would drop its microseconds, and every instant would differ.
    const [row]: Array<{ at: string | null }> = await this.ds.query(`SELECT last_contact_at::text AS at FROM att_terminal WHERE device_id = $1`, [s.id]);
    return { at: row?.at ?? null };
  }

  /**
   * The firmware and IP address a terminal's INFO names (its first and fifth fields) are what device/getAtt and
   * the device lists show: many terminals never post `table=options`, so INFO is the only place they say so.
   * Written only when they differ from what was last written (INFO changes with every punch: its log count).
   */
  private async noteFirmwareAndAddress(s: DeviceSession, firmware: string | null, ip: string | null): Promise<boolean> {
    if (firmware === null && ip === null) return false;
    const key = `${firmware ?? ''}\t${ip ?? ''}`;
    if (this.addresses.get(s.sn) === key) return false;
    const forgot = await this.noteFirmware(s, firmware === null ? null : firmware.slice(0, 100));
    await this.ds.query(
      `UPDATE device SET firm_ver = COALESCE($2, firm_ver), ip_address = COALESCE($3, ip_address)
        WHERE id = $1 AND (firm_ver IS DISTINCT FROM COALESCE($2, firm_ver) OR ip_address IS DISTINCT FROM COALESCE($3, ip_address))`,
      [s.id, firmware === null ? null : firmware.slice(0, 100), ip === null ? null : ip.slice(0, 64)],
    );
    this.addresses.set(s.sn, key);
    return forgot;
  }

  /**
   * The periodic verification of terminals (SyncVerifier): their next INFO's user count is judged as after an
   * initialisation, so a user deleted at a terminal's menu (the server not told) is noticed while it stays
   * connected. In the caller's transaction; the other processes are told, this one notes it once it commits.
   */
  async askUserCount(m: EntityManager, terminals: ReadonlyArray<{ id: string; sn: string }>): Promise<void> {
    if (terminals.length === 0) return;
    await m.query(`UPDATE att_terminal SET count_due = true, count_due_since = CASE WHEN count_due THEN count_due_since ELSE now() END WHERE device_id = ANY($1::char(32)[])`, [
      terminals.map((t) => t.id),
    ]);
    for (const t of terminals) await this.signal.notifyDeviceChanged(m, t.sn);
    afterCommit(m, () => {
      for (const t of terminals) this.oweCount(t.sn);
    });
  }

  /** A user count is owed: the next INFO is read whatever it says, and asked for afresh where polls carry none. */
  private oweCount(sn: string): void {
    this.countDue.add(sn);
    this.infos.delete(sn);
    this.infoAsked.delete(sn);
    this.noInfoSince.delete(sn);
  }

  /**
   * Whether this poll without `INFO=` should bring the terminal the INFO command (12.4.3), whose result names its
   * `UserCount`: its count is due, and it has polled without INFO for a poll interval since (a terminal reporting
   * INFO does so on its next poll; the manual's own getrequest carries none). Memory only: an idle poll stays free.
   */
  wantsInfoCommand(s: Pick<DeviceSession, 'sn' | 'requestDelay'>, now: number): boolean {
    if (!this.countDue.has(s.sn) || this.infoAsked.has(s.sn)) return false;
    const since = this.noInfoSince.get(s.sn);
    if (since === undefined) {
      this.noInfoSince.set(s.sn, now);
      return false;
    }
    return now - since >= (s.requestDelay ?? this.settings.requestDelay) * 1000;
  }

  /**
   * Whether this poll should bring the terminal CHECK (12.3.1): its TimeZone is owed (wantsZoneCheck), or its records
   * were cleared and it has not read the initialisation that hands it Stamp 0 for clearedCheckAgainMs, doubled with
   * each CHECK sent for it (its CHECK refused or lost; sendCheck decides whether one goes). Memory only, as every
   * test an idle poll makes.
   */
  wantsCheck(s: Pick<DeviceSession, 'sn'>, now: number): boolean {
    if (this.wantsZoneCheck(s, now)) {
      this.checkWhy.set(s.sn, 'zone');
      return true;
    }
    const since = this.clearedChecks.size > 0 ? this.clearedChecks.get(s.sn) : undefined;
    if (since === undefined || now - since.at < this.settings.clearedCheckAgainMs * 2 ** (since.tries - 1)) return false;
    since.at = now;
    this.checkWhy.set(s.sn, 'cleared');
    return true;
  }

  /** CHECK for a terminal wantsCheck chose. */
  async sendCheck(s: DeviceSession): Promise<void> {
    const why = this.checkWhy.get(s.sn);
    this.checkWhy.delete(s.sn);
    if (why !== 'cleared') return this.checkZone(s);
    const [sent]: Array<{ sent: number; open: number; ran: number }> = await this.ds.query(CLEARED_CHECKS, [s.id, s.sn]);
    // Initialised since (through another process): nothing owed.
    if (!sent) return void this.clearedChecks.delete(s.sn);
    // One is on its way (queued, or sent and its result not in): it is looked at again an interval on.
    if (sent.open > 0) return;
    // It ran a CHECK and did not read its initialisation (firmware that only polls with INFO reads none): another
    // changes nothing, and one every few minutes forever is a command queue never idle. Its own Stamps are what it
    // resumes from, and were taken since; should it ever initialise, it is handed Stamp 0 then.
    if (sent.ran > 0 || sent.sent >= CLEARED_CHECKS_MAX) {
      this.clearedChecks.delete(s.sn);
      this.clearedSettled.add(s.sn);
      const why = sent.ran > 0 ? 'ran CHECK without reading its initialisation' : `did not run any of ${sent.sent} CHECKs`;
      this.logger.warn(`terminal ${s.sn} ${why} since its records were cleared: no CHECK again; its next initialisation hands it Stamp 0`);
      return;
    }
    const next = this.clearedChecks.get(s.sn);
    if (next) next.tries = sent.sent + 1;
    this.logger.log(`terminal ${s.sn} has not read its initialisation since its records were cleared: CHECK again (${sent.sent + 1} of at most ${CLEARED_CHECKS_MAX}), so that it is handed Stamp 0`);
    await this.ds.transaction((m) => this.queue.enqueue(m, s.sn, [ATT_CHECK]));
  }

  /**
   * Whether a terminal was told a TimeZone at its initialisation here that is no longer the site's offset (daylight
   * saving time began or ended since): then it is owed a CHECK (checkZone), once per change. Memory only, as every
   * test an idle poll makes.
   */
  wantsZoneCheck(s: Pick<DeviceSession, 'sn'>, now: number): boolean {
    const told = this.toldZones.get(s.sn);
    if (told === undefined) return false;
    if (told === this.siteOffset(now)) return false;
    // Told the old offset still: a CHECK queued before was refused (negative Return), lost for good, or never
    // followed by an initialisation. Once per ZONE_CHECK_AGAIN_MS, not at every poll.
    const queuedAt = this.zoneChecks.get(s.sn);
    if (queuedAt !== undefined && now - queuedAt < ZONE_CHECK_AGAIN_MS) return false;
    this.zoneChecks.set(s.sn, now);
    return true;
  }

  /** The TimeZone a terminal was told at its initialisation (here, in another process, or before a restart). */
  private noteToldZone(sn: string, told: number | null): void {
    if (told === null) this.toldZones.delete(sn);
    else if (this.toldZones.get(sn) !== told) this.toldZones.set(sn, told);
    else return;
    this.zoneChecks.delete(sn);
  }

  private siteOffset(now: number): number {
    const minute = Math.floor(now / 60_000);
    const zone = this.config.timeZone;
    if (this.zoneNow?.minute !== minute || this.zoneNow.zone !== zone) this.zoneNow = { minute, zone, offset: zoneOffsetMinutes(new Date(now), zone) };
    return this.zoneNow.offset;
  }

  /**
   * CHECK (12.3.1) for a terminal wantsZoneCheck chose: it reads its initialisation again, and with it the site's
   * offset now, by which it sets its clock (manual 5: the Date header and TimeZone). Its punches are read in the
   * site's zone, so they come in at the wall time they were made again.
   */
  async checkZone(s: DeviceSession): Promise<void> {
    this.logger.log(`terminal ${s.sn} was told another TimeZone than the site's offset now (${formatTimeZoneOption(this.toldZones.get(s.sn) ?? 0)}): CHECK, so that it reads it`);
    try {
      await this.ds.transaction((m) => this.queue.enqueue(m, s.sn, [ATT_CHECK]));
    } catch (err) {
      this.zoneChecks.delete(s.sn);
      throw err;
    }
  }

  /** Queues INFO for a terminal wantsInfoCommand chose; its result's UserCount is judged by noteInfoResult. */
  async askInfo(s: DeviceSession): Promise<void> {
    this.infoAsked.add(s.sn);
    this.logger.log(`terminal ${s.sn} owes a user count and polls without INFO: sent INFO`);
    try {
      await this.ds.transaction((m) => this.queue.enqueue(m, s.sn, [ATT_INFO]));
    } catch (err) {
      this.infoAsked.delete(s.sn);
      throw err;
    }
  }

  /**
   * A user count (INFO value 2 of a poll, or `UserCount` of the INFO command's result) while one is due: judged by the
   * listener once nothing of ours is in flight, then told to the other processes so that none makes the check again.
   * Not judged yet: a terminal asked by the INFO command is asked again a poll interval later.
   */
  private async judgeCount(s: DeviceSession, count: number, fingers: number | null, mark: CountMark | undefined): Promise<void> {
    if (!mark || !this.countDue.has(s.sn) || !this.countListener) return;
    // Its last initialisation as the count arrived (`mark`): one landing after it (a reboot, a reset, here or in another
    // process) owes a count of its own, which the count judged now, made before it, does not answer. Read when the
    // judgement starts instead, a reboot landing while the request ran (its INFO result recorded, its options noted)
    // was taken for the initialisation the count was made under: the count made before a reset answered the reset's.
    const before = mark;
    const judged = await this.countListener({ deviceId: s.id, sn: s.sn }, count, fingers);
    if (!judged) {
      if (this.infoAsked.delete(s.sn)) this.noInfoSince.set(s.sn, Date.now());
      return;
    }
    // Another count owed by the judgement (`again`: fingers sent again), judged once they landed, measured from now.
    const again = judged === 'again';
    this.countDue.delete(s.sn);
    this.infoAsked.delete(s.sn);
    this.noInfoSince.delete(s.sn);
    const owedStill = await this.ds.transaction(async (m) => {
      // As a SELECT: TypeORM answers an UPDATE with [rows, count], and its first element read as the row said nothing
      // was owed still (the other processes' reload on the notification below made up for it; a lone process, never).
      const [row]: Array<{ due: boolean; booted: boolean }> = await m.query(
        `WITH u AS (UPDATE att_terminal SET count_due = booted OR $3, count_due_since = CASE WHEN booted THEN last_contact_at WHEN $3 THEN now() END
          FROM (SELECT last_contact_at IS DISTINCT FROM $2::timestamptz AS booted FROM att_terminal WHERE device_id = $1 FOR UPDATE) b
          WHERE device_id = $1 RETURNING count_due AS due, booted) SELECT due, booted FROM u`,
        [s.id, before?.at ?? null, again],
      );
      await this.signal.notifyDeviceChanged(m, s.sn);
      return row?.due ? { booted: row.booted } : null;
    });
    // Initialised again while the count was judged: the count that initialisation owes is read from its next INFO,
    // measured from it (its user count, what it got since).
    if (owedStill) {
      if (owedStill.booted) this.logger.log(`terminal ${s.sn} initialised again while its user count was judged: the count of that initialisation is owed still`);
      this.oweCount(s.sn);
    }
  }

  /** `INFO=` of a poll (section 9): stored when it changes. */
  async noteInfo(s: DeviceSession, info: string): Promise<void> {
    this.noInfoSince.delete(s.sn);
    const countDue = this.countDue.has(s.sn);
    const same = this.infos.get(s.sn) === info;
    // The same INFO as the last one costs nothing, unless it reports 0 users (zeroAgainstConfirmed): the users it
    // confirmed may have come since that INFO, through polls without one, and "clear all data" at its menu then
    // leaves it reporting what it reported before they came.
    if (same && !countDue && (this.zeroJudged.has(s.sn) || !/^[^,]*,\s*0\s*(,|$)/.test(info))) return;
    const parsed = parseAttInfo(info);
    const mark = countDue && parsed?.userCount !== null && parsed?.userCount !== undefined ? await this.countMark(s) : undefined;
    if (mark) await this.judgeCount(s, parsed!.userCount!, parsed!.fpCount, mark);
    if (same) {
      if (!countDue && parsed?.userCount === 0) await this.zeroAgainstConfirmed(s, parsed.fpCount);
      return;
    }
    this.infos.set(s.sn, info);
    if (!parsed) return;
    if (parsed.userCount !== null && parsed.userCount > 0) this.userReported(s.sn);
    const forgot = await this.noteFirmwareAndAddress(s, parsed.firmware, parsed.ip);
    // Its comparison photo bit (value 10, bit 4) is where some firmware alone says it takes comparison photos (a V5L
    // on ZAM180 names neither key in its options), and where one that stops taking them says so: written with the
    // INFO, in its statement (an INFO changes with every punch its counts take in).
    const word = bioPhotoWordOfInfo(parsed);
    const [row]: Array<{ inserted: boolean; prev_users: string | null; prev_logs: string | null; photo_changed: boolean; algorithms_changed: boolean }> = await this.ds.query(
      NOTE_INFO,
      [s.id, JSON.stringify({ ...parsed, raw: info.slice(0, 500) }), word === null ? null : JSON.stringify(word)],
    );
    const photoChanged = row?.photo_changed === true || forgot;
    // Some firmware never sends the initialisation and only polls with INFO (field samples): first sight here.
    if (row?.inserted) {
      await this.fireReady({ deviceId: s.id, sn: s.sn, first: true });
      return;
    }
    // Its fingerprint or face algorithm (INFO values 6 and 7) changed: which templates it can match did (AttendanceSync declaredVersions).
    if (photoChanged || row?.algorithms_changed === true) await this.planBio(s);
    // Fewer than half the attendance records the INFO before it reported: its log was cleared (a reset, a fresh unit,
    // "clear data" or "delete attendance records" at its menu), and its records start again under new Stamps. A
    // smaller drop is taken for firmware deleting its oldest records when its log is full, which restarts nothing:
    // Stamp 0 would make it upload its whole log again.
    if (recordsCleared(row?.prev_logs ?? null, parsed.attLogCount)) {
      await this.ds.transaction((m) => this.dataCleared(m, { id: s.id, sn: s.sn }, `reports ${parsed.attLogCount} attendance records where its INFO before reported ${row!.prev_logs}`));
    }
    if (countDue) return;
    if (userCountDropped(row?.prev_users ?? null, parsed.userCount)) await this.countDropped(s, `where its INFO before reported ${row!.prev_users}`, parsed.userCount!, parsed.fpCount);
    else if (parsed.userCount === 0) await this.zeroAgainstConfirmed(s, parsed.fpCount);
  }

  /**
   * An INFO reporting 0 users, not owed a count and no drop from the INFO before it (which said 0 too, reported
   * before its users came through polls without INFO, or none was stored): "clear all data" at its menu with no OPLOG
   * uploaded shows only here. Judged as a drop when it confirmed users (what the judgement compares the count with);
   * a terminal that holds none costs the one query, until a user can come to be confirmed for it (confirmedNone).
   * Once until its INFO reports a user again (zeroJudged).
   */
  private async zeroAgainstConfirmed(s: DeviceSession, fingers: number | null): Promise<void> {
    if (this.zeroJudged.has(s.sn) || this.confirmedNone.has(s.sn)) return;
    this.noneAsked.set(s.sn, false);
    let row: { held: boolean; sending: boolean } | undefined;
    try {
      [row] = await this.ds.query(CONFIRMED_USER_OR_SENDING, [s.id, s.sn]);
    } finally {
      // Remembered only when nothing forgot it while the query ran, and no command was in flight (its result, landing
      // in another process, would confirm a user this process hears nothing of).
      if (this.noneAsked.get(s.sn) === false && row && !row.held && !row.sending) this.confirmedNone.add(s.sn);
      this.noneAsked.delete(s.sn);
    }
    if (!row?.held) return;
    this.zeroJudged.add(s.sn);
    await this.countDropped(s, 'where it confirmed users', 0, fingers);
  }

  /** An INFO of the terminal reported users: a further 0 is judged again, and it may hold users it confirmed. */
  private userReported(sn: string): void {
    this.zeroJudged.delete(sn);
    this.forgetConfirmedNone(sn);
  }

  /**
   * A user may come to be confirmed for the terminal (a command queued for it, an upload of its users): its next INFO
   * reporting 0 users asks the database again (confirmedNone). Memory only.
   */
  forgetConfirmedNone(sn: string): void {
    if (this.confirmedNone.size > 0) this.confirmedNone.delete(sn);
    if (this.noneAsked.has(sn)) this.noneAsked.set(sn, true);
  }

  /**
   * The user count of an INFO fell below the one before it, with no initialisation in between (none was due): "clear
   * all data" at the terminal's menu, which does not restart it, or a fresh unit under the same SN that only polls
   * (firmware that never sends the initialisation). It is judged at once, as after an initialisation: against the
   * users the terminal confirmed, so that deletes of ours that just landed are no reset; kept owed (att_terminal
   * count_due) while commands of ours are in flight.
   */
  private async countDropped(s: DeviceSession, where: string, now: number, fingers: number | null): Promise<void> {
    this.logger.log(`terminal ${s.sn} reports ${now} users ${where}: its users are checked`);
    const mark = await this.lastInitialisation(s);
    await this.ds.transaction((m) => this.askUserCount(m, [{ id: s.id, sn: s.sn }]));
    await this.judgeCount(s, now, fingers, mark);
  }
}

/** Whether an INFO user count (`now`) is below the one the INFO before it reported (`before`, as stored). */
export function userCountDropped(before: string | null, now: number | null): boolean {
  if (before === null || now === null || !/^[0-9]{1,9}$/.test(before)) return false;
  return now < Number(before);
}

/** Whether an INFO attendance-record count (`now`) is below half the one the INFO before it reported (`before`, as stored). */
export function recordsCleared(before: string | null, now: number | null): boolean {
  return userCountDropped(before, now) && now! * 2 < Number(before);
}

/**
 * Whether two firmware strings name the same firmware, compared without case, the `Ver` word and punctuation, one
 * holding the other (INFO and the options spell one firmware differently, field samples getrequest-info-v5l-zam180,
 * opt-speedface-v5l-zam180, and hs-speedface-v5l-zam230-att's `ZAM230-NF50VA-1.1.9-OCM-4000-Ver1.0.1` for the
 * options' `ZAM230-NF50VA-Ver1.1.9`).
 */
export function sameFirmware(a: string, b: string): boolean {
  const norm = (v: string) => v.toLowerCase().replace(/ver/g, '').replace(/[^a-z0-9]/g, '');
  const [x, y] = [norm(a), norm(b)];
  return x.includes(y) || y.includes(x);
}
