import { Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { Area } from '../area/area.entity';
import { HexIdEntity } from '../common/hex-id.entity';
import type { Dialect } from '../push/protocol/registry';
import type { DeviceKind } from './device-kind';

export type DeviceAdmission = 'pending' | 'admitted' | 'disabled';

/**
 * The registration as the gateway reads it: the codec's parsed capabilities (AccSupportFunList as an array
 * of set positions) and the command dialect chosen from them. Written by the PUSH registry at each
 * (re)registration; read by whoever builds commands for the device.
 */
export interface StoredCapabilities {
  deviceType: string | null;
  deviceName: string | null;
  firmVer: string | null;
  pushVersionRaw: string | null;
  pushVersion: number[] | null;
  ipAddress: string | null;
  mac: string | null;
  machineType: number | null;
  lockCount: number | null;
  readerCount: number | null;
  auxInCount: number | null;
  auxOutCount: number | null;
  maxUserCount: number | null;
  maxPackageSize: number | null;
  cmdFormat: number | null;
  /** AccSupportFunList positions set to 1 (position 0 = left-most character). */
  accSupportFunList: number[];
  accSupportFunListRaw: string | null;
  /** Every other parsed capability of the codec (flags, MultiBio lists, ...). */
  [name: string]: unknown;
  /** Command dialect chosen from the registration (codec `chooseDialect`). */
  dialect: Dialect;
}

/** A device speaking Security or Attendance PUSH, known by its serial number; `kind` says which module owns it. */
@Entity('device')
export class Device extends HexIdEntity {
  @Index('uq_device_sn', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  sn!: string;

  /** Display name; the device's IP address (or SN) at first registration. */
  @Column({ type: 'varchar', length: 100 })
  alias!: string;

  @ManyToOne(() => Area, { nullable: true })
  @JoinColumn({ name: 'area_id', foreignKeyConstraintName: 'fk_device_area' })
  area?: Relation<Area> | null;

  @Index('ix_device_area')
  @Column({ name: 'area_id', type: 'char', length: 32, nullable: true })
  areaId!: string | null;

  /** The kind detected from what the device says (see device-kind.ts). */
  @Column({ type: 'varchar', length: 16, default: 'acc' })
  kind!: DeviceKind;

  /** An operator's override of the detected kind (gateway extension); null = detection decides. */
  @Column({ name: 'kind_override', type: 'varchar', length: 16, nullable: true })
  kindOverride!: DeviceKind | null;

  /** 'pending' until admitted (DEVICE_ADMISSION=auto admits at first contact); 'disabled' is refused like pending. */
  @Column({ type: 'varchar', length: 16, default: 'pending' })
  admission!: DeviceAdmission;

  @Column({ name: 'ip_address', type: 'varchar', length: 64, nullable: true })
  ipAddress!: string | null;

  /** PushVersion of the registration body (e.g. `Ver 3.1.2S-20240809`); the handshake's pushver is in registration.pushver. */
  @Column({ name: 'push_version', type: 'varchar', length: 64, nullable: true })
  pushVersion!: string | null;

  @Column({ name: 'firm_ver', type: 'varchar', length: 100, nullable: true })
  firmVer!: string | null;

  @Column({ name: 'device_type', type: 'varchar', length: 64, nullable: true })
  deviceType!: string | null;

  @Column({ name: 'device_name', type: 'varchar', length: 100, nullable: true })
  deviceName!: string | null;

  @Column({ name: 'lock_count', type: 'integer', default: 0 })
  lockCount!: number;

  @Column({ name: 'reader_count', type: 'integer', default: 0 })
  readerCount!: number;

  @Column({ name: 'aux_in_count', type: 'integer', default: 0 })
  auxInCount!: number;

  @Column({ name: 'aux_out_count', type: 'integer', default: 0 })
  auxOutCount!: number;

  /**
   * Advanced Functions > Interlock (Appendix 9 value, SET OPTIONS InterLock=, only values its door count allows);
   * null: never set, the panel keeps its own. Sent by the planner as the `advanced` item (panel-rules.ts).
   */
  @Column({ type: 'integer', nullable: true })
  interlock!: number | null;

  /** Advanced Functions > Anti-Passback (Appendix 8 value, SET OPTIONS AntiPassback=); null: never set. */
  @Column({ name: 'anti_passback', type: 'integer', nullable: true })
  antiPassback!: number | null;

  /** IANA zone of the device's wall clock (rtlog times); config TIME_ZONE unless changed. */
  @Column({ name: 'time_zone', type: 'varchar', length: 64 })
  timeZone!: string;

  @Column({ type: 'jsonb', nullable: true })
  capabilities!: StoredCapabilities | null;

  /** Every registration parameter as sent (raw keys, `~` kept), plus `pushver` from the handshake. */
  @Column({ type: 'jsonb', nullable: true })
  registration!: Record<string, string> | null;

  /** RequestDelay (seconds, a fraction allowed) the gateway last told the device: its poll interval. */
  @Column({ name: 'request_delay', type: 'double precision', nullable: true })
  requestDelay!: number | null;

  /** RegistryCode handed out at registration (kept across reconnects). */
  @Column({ name: 'registry_code', type: 'varchar', length: 32, nullable: true })
  registryCode!: string | null;

  @Column({ name: 'session_id', type: 'varchar', length: 64, nullable: true })
  sessionId!: string | null;

  @Column({ name: 'registered_at', type: 'timestamptz', nullable: true })
  registeredAt!: Date | null;

  /** The address the device talks from (the peer address, after TRUST_PROXY); see DeviceAddressService. */
  @Column({ name: 'last_ip', type: 'varchar', length: 64, nullable: true })
  lastIp!: string | null;

  /** The last address from which a second device claimed this SN while the device was online (DEVICE_SN_CONFLICT). */
  @Column({ name: 'sn_conflict_ip', type: 'varchar', length: 64, nullable: true })
  snConflictIp!: string | null;

  @Column({ name: 'sn_conflict_at', type: 'timestamptz', nullable: true })
  snConflictAt!: Date | null;

  /**
   * Doors a registration with a smaller LockCount removed, by door number: what the same door reported again takes
   * back (its id, name, lock delay, levels and attendance point; device-registry.service.ts). NULL when none.
   */
  @Column({ name: 'dropped_doors', type: 'jsonb', nullable: true })
  droppedDoors!: DroppedDoor[] | null;

  /**
   * Readers a registration removed (a smaller ReaderCount, or their door gone with a smaller LockCount): the same
   * reader declared again takes back its id and the name an operator gave it (device-registry.service.ts). NULL when none.
   */
  @Column({ name: 'dropped_readers', type: 'jsonb', nullable: true })
  droppedReaders!: DroppedReader[] | null;

  /** Flushed from memory every few seconds; see DeviceStatusService for the live value. */
  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt!: Date | null;
}

/** A door removed by a smaller LockCount, as `device.dropped_doors` keeps it. */
/** A dropped door's time zones (time segment ids), lock at door closing and passwords, as its row had them. */
export interface DroppedDoorMore {
  keepOpenSegmentId: string | null;
  keepOpenSet: boolean;
  validSegmentId: string | null;
  closeAndLock: boolean | null;
  duressPassword: string | null;
  emergencyPassword: string | null;
}

export interface DroppedDoor {
  doorNo: number;
  id: string;
  name: string;
  lockDelay: number | null;
  /** Its parameters the door edit set (door.sensor_type, sensor_delay, op_interval, options_set); absent in rows kept before them. */
  params?: {
    sensorType: number | null;
    sensorDelay: number | null;
    opInterval: number | null;
    optionsSet: boolean;
    /** The time zones, lock at door closing and passwords (door.keep_open_segment_id ...); absent in rows kept before them. */
    more?: DroppedDoorMore;
  };
  /** Access levels (acc_level_door) and entrance-control levels (psg_level_gate) it was in. */
  acc: string[];
  psg: string[];
  /** It was an attendance point (att_point). */
  att: boolean;
}

/** A reader removed by a registration, as `device.dropped_readers` keeps it: by its door and direction. */
export interface DroppedReader {
  doorId: string;
  inOut: number;
  id: string;
  /** The name an operator gave it; null when it had its door's default (`<door>-In` / `<door>-Out`), which it takes again. */
  name: string | null;
}
