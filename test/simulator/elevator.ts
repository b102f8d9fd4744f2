/**
 * An elevator controller (EC10/EC16 class) on Security PUSH, for the e2e tests. It is a DeviceSimulator with:
 * - no doors, `AuxOutCount` = its floors, AccSupportFunList positions 52-55 set (elevator expansion board,
 *   direct floor, emergency recovery, elevator privilege groups);
 * - the `usereleauthorize` table read back as floors: `AuthorizeFloors` is a hex number with floor 1 = bit 0
 *   (8.16: floors 8 and 9 → `180`);
 * - `CONTROL DEVICE 11` (floor output) and `12` (floor normal opening): a 32-byte bitmap with floor 1 = the most
 *   significant bit of the first byte, then DD (`00` off, `FF` normal open, else seconds). Both lengths
 *   are taken: AA + 32 bytes + DD, or AA + 32 bytes + CC + DD[+EE]; `0F` cancels the emergency state.
 * Imports nothing from src/.
 */
import { DeviceSimulator, type DeviceSimulatorOptions, type RtlogEvent, type UploadResult } from './device-simulator';
import { evaluateAccess, type AccessDecision } from './access';
import type { ParsedCommand } from './commands';
import type { DeviceTables } from './tables';
import { wallClock } from './wire';

export interface FloorState {
  floor: number;
  /** Released until this instant (CONTROL DEVICE 11 with seconds). */
  openUntil?: Date;
  normalOpen: boolean;
}

export interface FloorAction {
  cmdId: string;
  action: 'open' | 'close' | 'normalOpen' | 'cancelEmergency';
  floors: number[];
  seconds?: number;
  raw: string;
}

export interface ElevatorRight {
  timezone: number;
  directFloor: number;
  floors: number[];
}

/** AccSupportFunList with positions 52-55 set (and the simulator's usual access positions before them). */
export const ELEVATOR_FUN_LIST = '0101010000111000000111010100011010000000000000000000111100';

export class ElevatorControllerSimulator extends DeviceSimulator {
  floorCount: number;
  readonly floors: FloorState[];
  readonly floorActions: FloorAction[] = [];
  emergency = false;

  constructor(options: DeviceSimulatorOptions & { floors?: number }) {
    const floors = options.floors ?? 10;
    super({ deviceName: 'EC10', doors: 0, auxIn: 0, auxOut: floors, accSupportFunList: ELEVATOR_FUN_LIST, ...options });
    this.floorCount = floors;
    this.floors = Array.from({ length: floors }, (_, i) => ({ floor: i + 1, normalOpen: false }));
  }

  /**
   * The controller is reconfigured and registers again; `floors` is another floor count (an expansion board taken
   * out or added): it reports that many auxiliary outputs, a floor command naming a floor above it answers -11,
   * and new floors start closed. Its tables are kept as they are (AuthorizeFloors bits above it stay, unused).
   */
  override async reconfigure(
    options: Parameters<DeviceSimulator['reconfigure']>[0] & { floors?: number },
  ): Promise<{ registered: boolean; registryCode?: string }> {
    const { floors, ...rest } = options;
    if (floors !== undefined) {
      this.floorCount = floors;
      this.floors.splice(floors);
      for (let n = this.floors.length + 1; n <= floors; n++) this.floors.push({ floor: n, normalOpen: false });
    }
    return super.reconfigure(floors !== undefined ? { ...rest, auxOut: floors } : rest);
  }

  /** The person's rights as the controller holds them: floors decoded from AuthorizeFloors (floor 1 = bit 0). */
  eleRightsOf(pin: string | number): ElevatorRight[] {
    return this.table('usereleauthorize')
      .filter((r) => r.Pin === String(pin))
      .map((r) => {
        const v = BigInt(`0x${(r.AuthorizeFloors || '0').replace(/^0x/i, '')}`);
        const floors: number[] = [];
        for (let f = 1; f <= 256; f++) if ((v >> BigInt(f - 1)) & 1n) floors.push(f);
        return { timezone: Number(r.AuthorizeTimezoneId), directFloor: Number(r.AuthorizeFloorId || 0), floors };
      })
      .sort((a, b) => a.timezone - b.timezone);
  }

  /** Whether the floor button is released now. */
  floorReleased(floor: number, at: Date = this.clock()): boolean {
    const f = this.floors[floor - 1];
    return !!f && (f.normalOpen || (f.openUntil !== undefined && f.openUntil.getTime() > at.getTime()));
  }

  protected override control(cmd: ParsedCommand, events: RtlogEvent[]): { code: number; error?: string } {
    const hex = cmd.args.trim();
    const aa = hex.slice(0, 2).toUpperCase();
    if (aa === '0F') {
      this.emergency = false;
      this.floorActions.push({ cmdId: cmd.id, action: 'cancelEmergency', floors: [], raw: hex });
      return { code: 0 };
    }
    if (aa !== '11' && aa !== '12') return super.control(cmd, events);
    if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length < 2 + 64 + 2) return { code: -1002, error: `CONTROL DEVICE ${hex}: a floor command needs 32 bitmap bytes and DD` };
    const bitmap = hex.slice(2, 66);
    const rest = hex.slice(66);
    const dd = parseInt(rest.length >= 4 ? rest.slice(2, 4) : rest.slice(0, 2), 16);
    const floors: number[] = [];
    for (let i = 0; i < 32; i++) {
      const b = parseInt(bitmap.slice(2 * i, 2 * i + 2), 16);
      for (let bit = 0; bit < 8; bit++) if (b & (0x80 >> bit)) floors.push(i * 8 + bit + 1);
    }
    if (floors.length === 0 || floors.some((f) => f > this.floorCount)) return { code: -11, error: `CONTROL DEVICE ${hex}: floors ${floors.join(',')} out of 1-${this.floorCount}` };
    const now = this.clock();
    for (const f of floors) {
      const s = this.floors[f - 1];
      if (dd === 0) {
        s.openUntil = undefined;
        s.normalOpen = false;
      } else if (dd === 0xff || aa === '12') s.normalOpen = dd !== 0;
      else s.openUntil = new Date(now.getTime() + dd * 1000);
    }
    this.floorActions.push({
      cmdId: cmd.id,
      action: dd === 0 ? 'close' : dd === 0xff || aa === '12' ? 'normalOpen' : 'open',
      floors,
      ...(dd !== 0 && dd !== 0xff ? { seconds: dd } : {}),
      raw: hex,
    });
    return { code: 0 };
  }

  /**
   * What the controller decides when someone selects a floor, from its own tables, as a panel decides for a door
   * (access.ts): the user (by Pin or card; Disable, StartTime/EndTime), then a `usereleauthorize` row whose
   * AuthorizeFloors covers the floor and whose AuthorizeTimezoneId ("effective time period number", 8.16) is open
   * now (timezone and holiday tables). Event 0 granted, 22 outside every time rule, 23 no right for the floor,
   * 27 not registered, 29 expired, 39 disabled.
   */
  evaluateFloor(req: { pin?: string | number; cardno?: string | number; floor: number; time?: Date }): AccessDecision {
    // The panel's rule, reading a right per usereleauthorize row that covers the floor as a right for "door 1".
    const rights = this.table('usereleauthorize')
      .filter((r) => {
        const v = BigInt(`0x${(r.AuthorizeFloors || '0').replace(/^0x/i, '')}`);
        return req.floor >= 1 && ((v >> BigInt(req.floor - 1)) & 1n) === 1n;
      })
      .map((r) => ({ Pin: r.Pin, AuthorizeTimezoneId: r.AuthorizeTimezoneId, AuthorizeDoorId: '1' }));
    const view = { rows: (name: string) => (name === 'userauthorize' ? rights : this.tables.rows(name)) } as unknown as DeviceTables;
    return evaluateAccess(
      view,
      { pin: req.pin === undefined ? undefined : String(req.pin), cardno: req.cardno === undefined ? undefined : String(req.cardno), door: 1 },
      wallClock(req.time ?? this.clock(), this.zone),
      { mulCard: this.flagOn('MulCardUserFunOn'), dateFmt: this.flagOn('DateFmtFunOn') },
    );
  }

  /** A person selects a floor (pin or card): decided by evaluateFloor, logged as rtlog with the floor as eventaddr. */
  async selectFloor(req: { pin?: string | number; cardno?: string | number; floor: number; index?: number; time?: Date }): Promise<UploadResult & { allowed: boolean; event: number }> {
    const at = req.time ?? this.clock();
    const d = this.evaluateFloor({ ...req, time: at });
    const res = await this.uploadRtlog([
      { time: at, pin: d.pin, cardno: d.cardno, eventaddr: req.floor, event: d.event, inoutstatus: 0, verifytype: req.cardno !== undefined ? 4 : 1, index: req.index },
    ]);
    return { ...res, allowed: d.granted, event: d.event };
  }
}
