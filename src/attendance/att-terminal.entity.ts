import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * What the gateway keeps about a device that speaks the Attendance PUSH dialect: the upload stamps it hands
 * back at initialisation (resume after a reboot), the last INFO it reported, and the end of the last
 * punch upload (the start of a gap to recover after an outage).
 */
@Entity('att_terminal')
export class AttTerminal {
  @PrimaryColumn({ name: 'device_id', type: 'char', length: 32, primaryKeyConstraintName: 'pk_att_terminal' })
  deviceId!: string;

  /** `{ ATTLOG: "123", OPERLOG: "45", ... }` as last uploaded. */
  @Column({ type: 'jsonb', nullable: true })
  stamps!: Record<string, string> | null;

  /** The last `INFO=` of getrequest, parsed. */
  @Column({ type: 'jsonb', nullable: true })
  info!: Record<string, unknown> | null;

  /** The handshake query of the last initialisation (pushver, language, DeviceType...). */
  @Column({ type: 'jsonb', nullable: true })
  handshake!: Record<string, string> | null;

  /** Newest punch time held from this terminal. */
  @Column({ name: 'last_punch_at', type: 'timestamptz', nullable: true })
  lastPunchAt!: Date | null;

  /** When the terminal was last heard from (kept here so an outage can be measured at reconnect). */
  @Column({ name: 'last_contact_at', type: 'timestamptz', nullable: true })
  lastContactAt!: Date | null;

  /** Initialised again: its next INFO user count is to be checked against the users it confirmed. */
  @Column({ name: 'count_due', type: 'boolean', default: false })
  countDue!: boolean;

  /** Since when that count is owed (the initialisation or ask that made it due; null while none is). */
  @Column({ name: 'count_due_since', type: 'timestamptz', nullable: true })
  countDueSince!: Date | null;

  /**
   * Its INFO fingerprint count was once exactly the fingerprints it confirmed (some firmware reports 0 or a meaningless
   * count whatever it holds): only then does a count below them re-send its fingerprint sets (fingerprint-count.ts).
   */
  @Column({ name: 'fp_count_trusted', type: 'boolean', default: false })
  fpCountTrusted!: boolean;

  /** Its fingerprint sets were re-sent on a short count, and no fingerprint count has been judged since. */
  @Column({ name: 'fp_resent', type: 'boolean', default: false })
  fpResent!: boolean;

  /** The TimeZone (minutes) its last initialisation was told: it keeps that offset until it reads one again (a CHECK is owed when the site's differs). */
  @Column({ name: 'told_time_zone', type: 'integer', nullable: true })
  toldTimeZone!: number | null;

  /** The code page its text was found in (windows-1252...: older firmware); null = UTF-8, or GBK by its language. */
  @Column({ name: 'code_page', type: 'varchar', length: 32, nullable: true })
  codePage!: string | null;

  /**
   * What it last said of comparison photos, wherever it said it (options push, INFO command result, a poll's INFO
   * function bits): `fun` BioPhotoFun, `types` MultiBioPhotoSupport, `visible` its INFO names a visible-light terminal
   * (five function bits). Each report overwrites the keys it names; new firmware starts it afresh (bio-photo.ts).
   */
  @Column({ name: 'bio_photo', type: 'jsonb', nullable: true })
  bioPhoto!: { fun?: string; types?: string; visible?: boolean } | null;

  /**
   * It ended an OPERLOG or BIODATA upload with a line end (every attendance firmware in the field samples does): a body
   * of it that ends inside its last line was cut mid-body, so that line is refused even where it cannot show the cut.
   */
  @Column({ name: 'ends_lines', type: 'boolean', default: false })
  endsLines!: boolean;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
