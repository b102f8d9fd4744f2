import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CvCode, CvError, personNotExist } from '../common/cv-error';
import { formatCvDateTime, requireCvPeriod } from '../common/time';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { requireOnlineFor } from '../door/door-control.service';
import type { ClockRef } from '../push/clock-command';
import { CommandQueueService } from '../push/command-queue.service';
import { DeviceStatusService } from '../push/device-status.service';
import { INFO_RESULT_TABLE } from '../push/upload-ingest.service';
import { cancelAlarm, enrollBio, FUNCTION_SWITCH_TYPES, getOptions, instantToWallClock, queryTransactions, restartDevice, setDateTime, type TransactionQuery } from '../push/protocol';
import { DeviceService } from './device.service';
import type { TransactionQueryRef } from './transaction-query-follow-up';
import type { Device } from './device.entity';
import type { DeviceControlDto, DeviceControlResultDto, DeviceGetTransactionsDto, DeviceOptionDto, DeviceQueuedCommandDto } from './dto/device.dto';

/** What the console's Options view shows of a device (DeviceControlService.declared). */
export interface DeviceDeclaredOptions {
  sn: string;
  registeredAt: string | null;
  registration: Array<{ name: string; value: string }>;
  reported: DeviceOptionDto[];
  info: { source: 'command' | 'poll'; reportedAt: string | null; values: Array<{ name: string; value: string }> } | null;
}

/**
 * What getOptions asks for when no names are given: identity and capacity, as 9.5.2's first example does, and the
 * function switches its second example asks for (FingerFunOn, FaceFunOn, FvFunOn, PvFunOn: Appendix 12). A switch
 * turned at the panel since it registered changes which templates it takes (switchedOffBioTypes); the answer is
 * read as the panel's word on it (noteFunctionSwitches), so Get options is how an operator has that learnt again.
 */
export const DEFAULT_OPTION_NAMES = [
  '~SerialNumber', 'FirmVer', '~DeviceName', 'LockCount', 'ReaderCount', 'AuxInCount', 'AuxOutCount', '~MaxUserCount', '~MaxAttLogCount', '~MaxFingerCount',
  'IPAddress', 'NetMask', 'GATEIPAddress', ...FUNCTION_SWITCH_TYPES.map((s) => s.option),
];

/**
 * Options in the order an operator looks one up: by name, a leading `~` (read-only, 4.4) and case aside, as a panel's
 * registration body of eighty-odd keys in the firmware's own order hides the one sought (FaceFunOn among them).
 */
const byOptionName = <T extends { name: string }>(rows: T[]): T[] => {
  const key = (n: string) => n.replace(/^~/, '').toLowerCase();
  return rows.sort((a, b) => (key(a.name) < key(b.name) ? -1 : key(a.name) > key(b.name) ? 1 : a.name < b.name ? -1 : 1));
};

/** The latest value the device reported for each option ($1 SN): GET OPTIONS answers and its options uploads. */
const LATEST_OPTIONS = `SELECT DISTINCT ON (o.key) o.key AS name, o.value, u.received_at
  FROM device_upload u CROSS JOIN LATERAL jsonb_each_text(u.record) o
  WHERE u.device_sn = $1 AND u.table_name = 'options'
  ORDER BY o.key, u.id DESC`;

/**
 * Panel-wide commands from an operator (Security PUSH 9.4 CONTROL DEVICE, 9.5 SET/GET OPTIONS) for the devices that
 * speak Security PUSH (access panels, elevator and channel controllers); attendance terminals have their own
 * command set (api/gateway/attendance/terminals/{sn}/command). Reboot, time and alarm are actions: like a door
 * opened remotely, sent to an online device only and dropped if not fetched within DEVICE_ACTION_VALID_SECONDS
 * (a clock set minutes late is wrong, a reboot hours late unwanted). GET OPTIONS is a query, kept until delivered.
 * The answer says what was queued; the device's Return is on its command queue, and GET OPTIONS' values at
 * `options` once it has posted them (querydata type=options).
 */
@Injectable()
export class DeviceControlService {
  constructor(
    private readonly ds: DataSource,
    private readonly devices: DeviceService,
    private readonly queue: CommandQueueService,
    private readonly status: DeviceStatusService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** An admitted device that speaks Security PUSH (-404 unknown, -409 pending or disabled, or an attendance terminal, which `instead` serves). */
  private async requirePanel(sn: string, instead: string): Promise<Device> {
    const device = await this.devices.requireBySn(sn);
    if (device.admission !== 'admitted') throw new CvError(CvCode.Conflict, `Device ${sn} is ${device.admission}; approve it first`);
    const kind = device.kindOverride ?? device.kind;
    if (kind === 'att' || kind === 'facekiosk') {
      throw new CvError(CvCode.Conflict, `Device ${sn} is an attendance terminal: use /api/gateway/attendance/terminals/${sn}/${instead}`);
    }
    return device;
  }

  async control(sn: string, input: Pick<DeviceControlDto, 'action' | 'options' | 'pin' | 'bioType' | 'templateNo'>): Promise<DeviceControlResultDto> {
    const { action } = input;
    const device = await this.requirePanel(sn, 'command');
    const isAction = action !== 'getOptions';
    if (isAction) requireOnlineFor(await this.status.isOnlineNow(device), device.sn);
    const command = action === 'enroll' ? await this.enrollCommand(input) : this.build(action, device.timeZone, input.options);
    return this.ds.transaction(async (m) => {
      // A clock setting carries the device's zone: it is written again with the time it is handed out (ClockRef).
      const ref: ClockRef | undefined = action === 'syncTime' ? { clock: device.timeZone } : undefined;
      const validSeconds = isAction ? await this.queue.enqueueAction(m, device.sn, command, ref) : (await this.queue.enqueue(m, device.sn, [command]), null);
      return { deviceSn: device.sn, command, commandId: await this.queue.lastQueuedId(m, device.sn), validSeconds };
    });
  }

  /**
   * CVSecurity's Device > Get transactions: the panel (an elevator or channel controller too) is asked to upload the
   * access records it keeps (`DATA QUERY tablename=transaction`, 9.1.4): those it has not uploaded, all, or those of a
   * period (gateway wall clocks, sent in the panel's own). They come on /iclock/querydata, in packets, and each becomes
   * the access event it records, stored once (keyed as its rtlog twin). Sent to an online panel only (-1 otherwise,
   * nothing queued): asked of a panel that is away it would wait unseen; once queued it is kept until delivered.
   * `upToNow`: the console's form, whose period must end by now.
   */
  async getTransactions(sn: string, input: DeviceGetTransactionsDto, upToNow = false): Promise<DeviceQueuedCommandDto> {
    const device = await this.requirePanel(sn, 'recover');
    let query: TransactionQuery;
    if (input.records === 'period') {
      const { from, to } = requireCvPeriod(input, this.config.timeZone, upToNow);
      query = { records: 'period', start: instantToWallClock(from, device.timeZone), end: instantToWallClock(to, device.timeZone) };
    } else {
      if (input.startTime || input.endTime) throw new CvError(CvCode.InvalidParameter, `startTime and endTime go with records=period only, not records=${input.records}`);
      query = { records: input.records };
    }
    requireOnlineFor(await this.status.isOnlineNow(device), device.sn);
    const command = queryTransactions(query);
    // Its answer is compared with its Return, and asked again when records are missing (TransactionQueryFollowUp).
    const ref: TransactionQueryRef = { getTransactions: 1 };
    return this.ds.transaction(async (m) => {
      await this.queue.enqueue(m, device.sn, [{ command, ref }]);
      return { deviceSn: device.sn, command, commandId: await this.queue.lastQueuedId(m, device.sn) };
    });
  }

  /**
   * 9.6.2: the person enrols at the panel, which keeps the template (MODE=1: saved and uploaded) and posts it
   * (`type=BioData`); the upload is stored as the person's template and sent to their other devices, as any
   * enrolment at a panel is. A pin the gateway does not know is refused (-22): its upload would be kept nowhere.
   */
  private async enrollCommand(input: Pick<DeviceControlDto, 'pin' | 'bioType' | 'templateNo'>): Promise<string> {
    if (!input.pin) throw new CvError(CvCode.PinEmpty, 'The person pin is required to enroll');
    const [person] = await this.ds.query(`SELECT 1 FROM person WHERE pin = $1`, [input.pin]);
    if (!person) throw personNotExist(input.pin);
    const type = input.bioType ?? 1;
    return enrollBio({ type, no: type === 1 || type === 7 || type === 8 ? (input.templateNo ?? 0) : 0, pin: input.pin, retry: 3, overwrite: true, mode: 1 });
  }

  private build(action: Exclude<DeviceControlDto['action'], 'enroll'>, zone: string, optionNames: string | undefined): string {
    switch (action) {
      case 'reboot':
        return restartDevice(0);
      case 'syncTime':
        // 9.5.1: the server's current time in the device's own wall clock (the zone its events are read in).
        return setDateTime(instantToWallClock(new Date(), zone));
      case 'cancelAlarm':
        return cancelAlarm(0);
      case 'getOptions': {
        const names = optionNames === undefined || optionNames === '' ? DEFAULT_OPTION_NAMES : optionNames.split(',').map((n) => n.trim()).filter(Boolean);
        const bad = names.find((n) => !/^~?[A-Za-z][A-Za-z0-9_.~]{0,63}$/.test(n));
        if (bad !== undefined || names.length === 0) throw new CvError(CvCode.InvalidParameter, `options must be option names separated by commas${bad ? `: "${bad.slice(0, 40)}" is none` : ''}`);
        return getOptions(names);
      }
    }
  }

  /**
   * Everything a device said of itself, for the console's Options view (CVSecurity's device parameters): what it
   * declared when it last registered (a panel's registration body, an attendance terminal's initialisation query,
   * keys as sent, listed by name), the latest value of each option it reported since (`options`), and for a terminal what its INFO
   * said last: the INFO command's result (its key=value lines), else the INFO of its polls (counts, firmware, address).
   */
  async declared(sn: string): Promise<DeviceDeclaredOptions> {
    const device = await this.devices.requireBySn(sn);
    const tz = this.config.timeZone;
    const [terminal]: Array<{ handshake: Record<string, string> | null; info: Record<string, unknown> | null }> = await this.ds.query(
      `SELECT t.handshake, t.info FROM att_terminal t WHERE t.device_id = $1`,
      [device.id],
    );
    const [infoResult]: Array<{ record: Record<string, string>; received_at: Date }> = await this.ds.query(
      `SELECT record, received_at FROM device_upload WHERE device_sn = $1 AND table_name = '${INFO_RESULT_TABLE}' ORDER BY id DESC LIMIT 1`,
      [device.sn],
    );
    const pairs = (o: Record<string, unknown> | null | undefined) =>
      Object.entries(o ?? {}).filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object').map(([name, value]) => ({ name, value: String(value) }));
    const info = infoResult
      ? { source: 'command' as const, reportedAt: formatCvDateTime(infoResult.received_at, tz), values: pairs(infoResult.record) }
      : terminal?.info
        ? { source: 'poll' as const, reportedAt: null, values: pairs(terminal.info).filter((p) => p.name !== 'raw') }
        : null;
    return {
      sn: device.sn,
      registeredAt: formatCvDateTime(device.registeredAt, tz),
      registration: byOptionName(pairs(terminal?.handshake ?? device.registration)),
      reported: await this.reported(device.sn),
      info,
    };
  }

  /** The latest value of each option the device reported (GET OPTIONS answers, options uploads), by name. */
  async options(sn: string): Promise<DeviceOptionDto[]> {
    return this.reported((await this.devices.requireBySn(sn)).sn);
  }

  /** options, for a device already read (its SN as stored). */
  private async reported(sn: string): Promise<DeviceOptionDto[]> {
    const rows: Array<{ name: string; value: string; received_at: Date }> = await this.ds.query(LATEST_OPTIONS, [sn]);
    return rows.map((r) => ({ name: r.name, value: r.value, reportedAt: formatCvDateTime(r.received_at, this.config.timeZone) }));
  }
}
