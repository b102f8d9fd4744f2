/**
 * A channel controller (entrance control: turnstile, flap or swing barrier) on Security PUSH, for the e2e
 * tests. It is a DeviceSimulator whose doors are its gates, with:
 * - the Appendix 20 parameters a channel controller registers with (`PassWayType` = gate type, `PassMode`);
 * - its counters (7.14): pushed as `table=irstate` when it starts (its first connection, and after a factory reset)
 *   and whenever they change: a passage, an alarm, or a reset by `CONTROL DEVICE 10 <01 out | 02 in | 03 alarms |
 *   04 all>` (pushed once the reply's results are posted);
 * - remote opening per direction as the gateway drives it: the gate's lock output (`01 <gate> 01 <s>`) lets
 *   one person in, its auxiliary output (`01 <gate> 02 <s>`) one person out;
 * - passages (`inoutstatus` 0 in, 1 out) decided from its own `userauthorize` rights, and the cancel-alarm
 *   record of 7.13 (`Alarmtype=200`, CR LF terminated like every channel record).
 * Imports nothing from src/.
 */
import type { ParsedCommand } from './commands';
import { DeviceSimulator, type DeviceSimulatorOptions, type HttpResult, type ReceivedCommand, type RtlogEvent, type UploadResult } from './device-simulator';

export interface GateCounters {
  irstate: number;
  irsensecount: number;
  incount: number;
  outcount: number;
  alarmcount: number;
  runcount: number;
}

export interface GateOpening {
  cmdId: string;
  gate: number;
  direction: 'entry' | 'exit';
  seconds: number;
}

export class ChannelControllerSimulator extends DeviceSimulator {
  readonly gateCount: number;
  readonly counters: GateCounters = { irstate: 0, irsensecount: 2, incount: 0, outcount: 0, alarmcount: 0, runcount: 0 };
  readonly openings: GateOpening[] = [];
  readonly counterResets: number[] = [];
  /** Whether it pushed its counters since it started (7.14: "when the device is started for the first time"). */
  private started = false;
  /** A reset changed the counters while a reply ran: pushed after the reply (7.14: "immediately"). */
  private countersChanged = false;

  /**
   * `gateTypeIn: 'options'`: the Appendix 20 parameters (`PassWayType`, `PassMode`, ...) are not in the registration,
   * only among the parameters the controller uploads (`table=options`, 4.6), as firmware that registers like a
   * plain panel does.
   */
  constructor(options: DeviceSimulatorOptions & { gates?: number; gateType?: number; gateTypeIn?: 'registration' | 'options' }) {
    const gates = options.gates ?? 1;
    const appendix20 = { PassWayType: options.gateType ?? 2, PassMode: 0, MotorOpenSpeed: 5 };
    const inOptions = options.gateTypeIn === 'options';
    super({
      deviceName: 'PGIC10',
      doors: gates,
      auxOut: gates,
      lineEnding: '\r\n',
      ...options,
      registryExtras: { ...(inOptions ? {} : appendix20), ...(options.registryExtras ?? {}) },
    });
    if (inOptions) for (const [k, v] of Object.entries(appendix20)) this.options.set(k, String(v));
    this.gateCount = gates;
  }

  protected override control(cmd: ParsedCommand, events: RtlogEvent[]): { code: number; error?: string } {
    const hex = cmd.args.trim().toUpperCase();
    const bytes = hex.match(/../g)?.map((b) => parseInt(b, 16)) ?? [];
    if (bytes[0] === 0x10) {
      const which = bytes[1];
      if (which === 0x01 || which === 0x04) this.counters.outcount = 0;
      if (which === 0x02 || which === 0x04) this.counters.incount = 0;
      if (which === 0x03 || which === 0x04) this.counters.alarmcount = 0;
      if (which < 0x01 || which > 0x04) return { code: -11, error: `CONTROL DEVICE ${hex}: no counter ${which}` };
      this.counterResets.push(which);
      this.countersChanged = true;
      return { code: 0 };
    }
    const out = super.control(cmd, events);
    if (out.code === 0 && bytes[0] === 0x01 && bytes[1] >= 1 && bytes[1] <= this.gateCount && bytes[3] > 0 && bytes[3] < 0xff) {
      this.openings.push({ cmdId: cmd.id, gate: bytes[1], direction: bytes[2] === 0x02 ? 'exit' : 'entry', seconds: bytes[3] });
    }
    return out;
  }

  /** Connects; a controller that just started pushes its counters (7.14, case 1). */
  override async connect(): Promise<{ registered: boolean; registryCode?: string }> {
    const out = await super.connect();
    if (!this.started) {
      this.started = true;
      await this.uploadIrstate();
    }
    return out;
  }

  /** A factory reset restarts the controller: it pushes its counters again once connected. */
  override async factoryReset(opts: { numbering?: 'kept' | 'restarted' } = {}): Promise<{ registered: boolean; registryCode?: string }> {
    this.started = false;
    return super.factoryReset(opts);
  }

  /** Polls; counters reset by the reply are pushed right after it (7.14, case 2). */
  override async poll(): Promise<ReceivedCommand[]> {
    const out = await super.poll();
    await this.pushChangedCounters();
    return out;
  }

  override async pollConcurrently(n = 2): Promise<ReceivedCommand[][]> {
    const out = await super.pollConcurrently(n);
    await this.pushChangedCounters();
    return out;
  }

  private async pushChangedCounters(): Promise<void> {
    if (!this.countersChanged) return;
    this.countersChanged = false;
    await this.uploadIrstate();
  }

  /** `POST cdata?table=irstate`: `irstate=..\tirsensecount=..\tincount=..\toutcount=..\talarmcount=..\truncount=..\r\n`. */
  async uploadIrstate(): Promise<HttpResult> {
    const c = this.counters;
    const body = `irstate=${c.irstate}\tirsensecount=${c.irsensecount}\tincount=${c.incount}\toutcount=${c.outcount}\talarmcount=${c.alarmcount}\truncount=${c.runcount}\r\n`;
    return this.uploadRaw('/iclock/cdata', { table: 'irstate' }, body, { 'Content-Type': 'application/push;charset=UTF-8' });
  }

  /** A person passes a gate in a direction: decided from the rights, logged, counted, counters pushed. */
  async pass(req: { pin: string | number; gate: number; direction: 'in' | 'out' }): Promise<{ granted: boolean; upload: UploadResult }> {
    const { decision, upload } = await this.access({ pin: req.pin, door: req.gate, inoutstatus: req.direction === 'in' ? 0 : 1 });
    if (decision.granted) {
      if (req.direction === 'in') this.counters.incount++;
      else this.counters.outcount++;
      this.counters.runcount++;
      await this.uploadIrstate();
    }
    return { granted: decision.granted, upload };
  }

  /** An alarm on the gate (e.g. forced passage): the counters change and are pushed. */
  async alarm(gate: number, bits = 0x01): Promise<void> {
    this.raiseAlarm(gate, bits);
    this.counters.alarmcount++;
    await this.uploadIrstate();
  }

  /** 7.13: the alarm was cancelled on the device; the record carries `Alarmtype=200`. */
  async cancelAlarmRecord(gate: number): Promise<UploadResult> {
    return this.uploadRtlog([{ pin: 0, cardno: 0, eventaddr: gate, event: 7, inoutstatus: 2, verifytype: 200, Alarmtype: 200 }]);
  }
}
