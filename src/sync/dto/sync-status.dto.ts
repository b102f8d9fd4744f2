import { ApiProperty } from '@nestjs/swagger';

export class PersonDeviceRightDto {
  @ApiProperty({ example: 1, description: 'TimezoneId (the time segment tz_id)' }) timezoneId!: number;
  @ApiProperty({ example: 3, required: false, description: 'AuthorizeDoorId bitmask: door 1 → 1, 2 → 2, 3 → 4, 4 → 8 (a channel controller: its gates); absent on an elevator controller' })
  authorizeDoorId?: number;
  @ApiProperty({ example: [8, 9], required: false, type: [Number], description: 'an elevator controller: the floors of its usereleauthorize row (absent on other devices)' })
  floors?: number[];
}

const REASONS = ['capacity', 'data', 'unsupported', 'transient'];
const REASON_DESCRIPTION =
  'why the device refused, from its Return (Security PUSH / Attendance PUSH Appendix 1): `capacity` the device is full (-18, -1001), `data` it cannot take this record as it is (bad format or template, too long: -9, -11, -620, -631, -1006…; a terminal\'s -1, -2, -9, -11, -12; -1001 to a photo: too large; an ERRORLOG), `unsupported` the firmware lacks the table or command (-1002, -1004, -629, -708, -13), `transient` anything else (busy, timeout, no result): retried';

export class RefusalDto {
  @ApiProperty({ example: 'DATA UPDATE biodata Type=9', description: "the refusal's key, as in the device's `refusedCapabilities`: `DATA <VERB> <table>`, a template type (`Type=<n>`) where the firmware refused one type it announced" })
  what!: string;
  @ApiProperty({ example: -1004, nullable: true, type: Number, description: 'the Return code the firmware answered' }) returnCode!: number | null;
  @ApiProperty({ example: 'The data and equipment configuration are inconsistent', nullable: true, type: String }) meaning!: string | null;
  @ApiProperty({ example: 'unsupported', enum: REASONS, description: REASON_DESCRIPTION }) reason!: 'unsupported';
  @ApiProperty({ example: 1, description: 'times refused since it was refused for good' }) refusals!: number;
  @ApiProperty({ example: '2026-11-21 08:00:00', nullable: true, type: String, description: 'last refused' }) lastAt!: string | null;
  @ApiProperty({
    example: '2026-11-21 08:01:00',
    nullable: true,
    type: String,
    description: 'when it is tried again (the probe, with backoff, SYNC_REFUSAL_PROBE_MS); until then nothing it keeps off is sent',
  })
  probeAt!: string | null;
}

export class DeviceRefusalHoldDto extends RefusalDto {
  @ApiProperty({ example: 12, description: 'items (a user, a photo, a template set…) this refusal holds back: desired ones the device lacks only because of it, and ones to remove that it keeps on the device (a refused delete)' }) items!: number;
}

export class CannotHoldTemplateDto {
  @ApiProperty({ example: 9, description: 'the template type (1 fingerprint, 2 near-infrared face, 7 finger vein, 8 palm vein, 9 visible-light face, 10 visible-light palm…)' }) bioType!: number;
  @ApiProperty({ example: 0, description: 'the template number (a finger, a face)' }) templateNo!: number;
}

export class CannotHoldDto {
  @ApiProperty({ example: 'secondaryCards', enum: ['secondaryCards', 'templates'], description: 'what of the person the device cannot hold' }) what!: 'secondaryCards' | 'templates';
  @ApiProperty({ example: ['7780002'], type: [String], description: 'secondaryCards: the secondary cards (cardType 1) it does not hold (empty for templates)' }) cardNos!: string[];
  @ApiProperty({ type: [CannotHoldTemplateDto], description: 'templates: the template slots (type, number) its options do not take (empty for secondaryCards)' })
  templates!: CannotHoldTemplateDto[];
  @ApiProperty({
    example: 'multi-card is off on this device (its options do not report MulCardUserFunOn=1): it holds the main card only, and a secondary card is invalid here',
  })
  reason!: string;
}

export class DeviceCannotHoldDto extends CannotHoldDto {
  @ApiProperty({ example: '1001', description: 'the member it concerns' }) pin!: string;
  @ApiProperty({ example: 'Ada', type: String, nullable: true, description: "the member's first name (null when none)" }) name!: string | null;
  @ApiProperty({ example: 'Lovelace', type: String, nullable: true, description: "the member's last name (null when none)" }) lastName!: string | null;
}

export class PersonDeviceSyncDto {
  @ApiProperty({ example: 'CJDE193560303' }) deviceSn!: string;
  @ApiProperty({ example: '192.168.1.201' }) deviceAlias!: string;
  @ApiProperty({
    enum: ['synced', 'pending', 'divergent', 'refused', 'failed', 'skipped', 'removing'],
    description:
      'synced: the device confirmed (by Return codes) everything it should hold of this person and nothing more, and no command about them is on its way; pending: commands are on their way ' +
      '(a retry after a refusal too: lastReturn keeps its code), or what the device confirmed is being checked (it registered again, or was found ' +
      'changed: a count, or a full sync, is owed or on its way; an attendance terminal whose user count is owed, until its next INFO is judged); divergent: a command was refused or unanswered and nothing is on its way yet, it is planned ' +
      'again after a backoff; refused: the firmware refused a table this person needs for good ' +
      '(see refused; not planned again until its probe); failed: the device failed the same content for good (a terminal\'s ERRORLOG for it ' +
      'SYNC_GIVE_UP_FAILURES times in a row, or Return -1001 to a photo too large for it: see lastError); it is not sent again until the data ' +
      'changes (a new photo goes out at once); skipped: a stored value cannot be sent (see skipped); ' +
      'removing: the person must leave this device and it has not confirmed it yet',
  })
  state!: 'synced' | 'pending' | 'divergent' | 'refused' | 'failed' | 'skipped' | 'removing';
  @ApiProperty({ example: true, description: 'the person should be on this device' }) desired!: boolean;
  @ApiProperty({ example: true, description: 'the device confirmed the user record, the rights it should hold and the time zones those rights name, no command changing the user record or the rights is on its way, and what it confirmed is not being checked (it registered again or was found changed: a count or a full sync is owed or on its way)' }) holds!: boolean;
  @ApiProperty({ type: [PersonDeviceRightDto], description: 'rights the device should hold' }) rights!: PersonDeviceRightDto[];
  @ApiProperty({ type: [PersonDeviceRightDto], description: 'rights the device confirmed' }) confirmedRights!: PersonDeviceRightDto[];
  @ApiProperty({ example: ['photo'], type: [String], description: 'items (user, auth, eleauth, card, photo, bio) not yet confirmed as they should be; `tz` when a time zone the rights name is not held as desired (the rights then open nothing, or at the wrong hours)' }) unconfirmed!: string[];
  @ApiProperty({ example: 0 }) pendingCommands!: number;
  @ApiProperty({ example: null, nullable: true, type: Number, description: 'last Return code of a refused command for this person here, until the device confirms the item' }) lastReturn!: number | null;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'the meaning of lastReturn; without one, the ERRORLOG code and meaning a terminal reported for the command after its Return (`ERRORLOG D01E0001: Face detection failed`), or `no result`' }) lastError!: string | null;
  @ApiProperty({ example: null, nullable: true, enum: REASONS, description: `${REASON_DESCRIPTION}; null while nothing of the person fails here` })
  lastReason!: 'capacity' | 'data' | 'unsupported' | 'transient' | null;
  @ApiProperty({
    example: [],
    type: [String],
    description: "the device's refusals for good (as in the device's `refusedCapabilities`, e.g. `DATA UPDATE biophoto`) that keep an item of this person from converging",
  })
  refused!: string[];
  @ApiProperty({ type: [RefusalDto], description: 'the refusals in `refused`, each with its Return code and when it is probed again' }) refusals!: RefusalDto[];
  @ApiProperty({ example: null, nullable: true, type: String, description: 'why the person cannot be sent to this device' }) skipped!: string | null;
  @ApiProperty({
    type: [CannotHoldDto],
    description:
      "what the database gives this person that the device cannot hold, whatever is sent, and so is not sent nor waited for (it does not make the state pending or divergent): " +
      "secondary cards on a panel without multi-card (MulCardUserFunOn=1), which holds the main card only; on an attendance terminal or kiosk, the secondary cards after the first " +
      '(its user record carries one, ViceCard); templates of a type its options do not announce (MultiBioDataSupport / BioDataFun; without them a panel keeps version-10 fingerprints only) or whose function they switch off (FingerFunOn, FaceFunOn, FvFunOn, PvFunOn at 0). ' +
      'Those cards do not open or punch there, those templates do not verify. Empty when the device holds all of them, or the person is not to be on it',
  })
  cannotHold!: CannotHoldDto[];
  @ApiProperty({
    example: '2026-11-21 08:00:00',
    nullable: true,
    type: String,
    description:
      'while the state is `synced` only: when the device confirmed (by Return codes) the last of what it holds of this person, which is what the database gives. ' +
      'Null in every other state, though the device confirmed earlier versions: a later change pending, refused or unanswered is not held (see lastConfirmedAt)',
  })
  confirmedAt!: string | null;
  @ApiProperty({
    example: '2026-11-21 08:00:00',
    nullable: true,
    type: String,
    description: 'when the device last confirmed an item of this person, whatever the state: not a claim that it holds what the database gives now',
  })
  lastConfirmedAt!: string | null;
}

export class ReturnCodeDto {
  @ApiProperty({ example: 'DATA UPDATE userauthorize Pin=1…' }) command!: string;
  @ApiProperty({ example: -1002, nullable: true, type: Number }) returnCode!: number | null;
  @ApiProperty({ example: 'unsupported command', nullable: true, type: String }) meaning!: string | null;
  @ApiProperty({ example: 'failed' }) state!: string;
  @ApiProperty({ example: null, nullable: true, enum: REASONS, description: `${REASON_DESCRIPTION}; null for a success or no result` })
  reason!: 'capacity' | 'data' | 'unsupported' | 'transient' | null;
  @ApiProperty({ example: '2026-11-21 08:00:00', nullable: true, type: String }) at!: string | null;
}

export class FailingReasonDto {
  @ApiProperty({ example: 'capacity', enum: REASONS, description: REASON_DESCRIPTION }) reason!: 'capacity' | 'data' | 'unsupported' | 'transient';
  @ApiProperty({ example: -18, nullable: true, type: Number, description: "the device's Return to the items' last command (null: no result, or a terminal's ERRORLOG)" }) returnCode!: number | null;
  @ApiProperty({ example: 'The device has insufficient space', nullable: true, type: String, description: 'the meaning of returnCode, or the ERRORLOG, or `no result`' }) meaning!: string | null;
  @ApiProperty({ example: 3, description: 'items (a user, rights, cards, a photo, a template set, a removal…) whose last command got this answer and that the device is not taken to hold as desired' }) items!: number;
  @ApiProperty({ example: ['user 9103', 'auth 9103'], type: [String], description: 'the first twenty of those items, as `<kind> <pin or id>`' }) examples!: string[];
  @ApiProperty({ example: 'the device is full: free room on it…', description: 'what is done about it and what the operator can do' }) advice!: string;
}

export class SkippedMemberDto {
  @ApiProperty({ example: '12' }) pin!: string;
  @ApiProperty({ example: 'Ada', type: String, nullable: true, description: "the member's first name (null when none, or a visitor)" }) name!: string | null;
  @ApiProperty({ example: 'Lovelace', type: String, nullable: true, description: "the member's last name (null when none, or a visitor)" }) lastName!: string | null;
  @ApiProperty({ example: 'name contains a control character' }) reason!: string;
}

export class OwedWorkDto {
  @ApiProperty({
    example: 'full',
    enum: ['full', 'verify', 'count'],
    description:
      'full: a full sync; verify: its difference planned again and its tables counted (a panel that registered again); count: an attendance terminal whose user count is owed ' +
      '(it initialised again, a reboot or a factory reset, or the periodic verification asked), judged from its next INFO once nothing of ours is in flight: ' +
      'what it confirmed is in doubt until then, so the device is pending, not divergent (attempts 0, nextTryAt null)',
  })
  kind!: string;
  @ApiProperty({ example: 0 }) attempts!: number;
  @ApiProperty({ example: null, nullable: true, type: String }) lastError!: string | null;
  @ApiProperty({ example: '2026-11-21 08:00:00', nullable: true, type: String }) nextTryAt!: string | null;
}

export class UnknownRowsDto {
  @ApiProperty({ example: 'user', description: 'the table counted (`DATA COUNT <table>`)' }) table!: string;
  @ApiProperty({ example: 1, description: 'rows the latest count found beyond those the device confirmed' }) rows!: number;
  @ApiProperty({ example: -1004, description: "the device's Return to the clear of the table (`DATA DELETE <table> *`)" }) returnCode!: number;
  @ApiProperty({ example: 'holds 1 user the database does not give it; the firmware refused clearing the table (Return -1004)' }) reason!: string;
}

export class DeviceConvergenceDto {
  @ApiProperty({ example: 'CJDE193560303' }) sn!: string;
  @ApiProperty({
    enum: ['synced', 'pending', 'refused', 'divergent'],
    description:
      'synced: the device confirmed everything it should hold and nothing is on its way; pending: commands are on their way, or items are not confirmed yet, ' +
      'or what it confirmed is being checked (an attendance terminal whose user count is owed, `count` in owed: it initialised again, and may have lost what it held); ' +
      'refused: it holds everything else, and lacks only items its firmware refused for good (a table, or a template type it announced): see refusals, ' +
      'nothing sends them before the probe (probeAt); divergent: as `divergent`',
  })
  state!: 'synced' | 'pending' | 'refused' | 'divergent';
  @ApiProperty({
    example: false,
    description:
      'the device does not hold what the database says, and nothing in flight or refused for good explains it (items failing and retried with backoff, owed work other than an attendance terminal\'s user count, rows it should not hold): items it lacks only because its firmware refused them for good are counted in refusedItems, not here',
  })
  divergent!: boolean;
  @ApiProperty({ example: 1203, description: 'items the device should hold (users, rights, cards, photos, template sets, time zones, holiday days)' }) desiredItems!: number;
  @ApiProperty({ example: 1203, description: 'desired items the device confirmed holding as desired (by Return codes); desiredItems minus this is what it still lacks' }) confirmedItems!: number;
  @ApiProperty({ example: 0, description: 'items desired and not confirmed as such, or confirmed and no longer desired' }) unconfirmedItems!: number;
  @ApiProperty({ example: 0, description: 'desired items the device lacks only because its firmware refused them for good (see refusals); counted in unconfirmedItems too' }) refusedItems!: number;
  @ApiProperty({ example: 0, description: 'items whose last command was refused or unanswered, retried with backoff and no retry (nor any later command about them) on its way yet; not those refused for good (refusedItems)' }) failingItems!: number;
  @ApiProperty({ example: 0 }) pendingCommands!: number;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'queued time of the oldest command not yet answered' }) oldestUnconfirmedAt!: string | null;
  @ApiProperty({ example: null, nullable: true, type: Number }) oldestUnconfirmedAgeSeconds!: number | null;
  @ApiProperty({ type: [ReturnCodeDto], description: 'the last answered commands, newest first' }) lastReturns!: ReturnCodeDto[];
  @ApiProperty({
    type: [FailingReasonDto],
    description: 'the items the device refused or left unanswered, by reason and Return code (capacity first): what it lacks or still holds against the database, and why. Items refused for good are under `refusals` instead',
  })
  failing!: FailingReasonDto[];
  @ApiProperty({ example: ['biophoto'], type: [String], description: 'tables or commands the firmware refused for good (-1002/-1004): not planned' }) refused!: string[];
  @ApiProperty({ type: [DeviceRefusalHoldDto], description: 'each refusal in `refused` with its Return code, when it is probed again and the desired items it keeps off the device' }) refusals!: DeviceRefusalHoldDto[];
  @ApiProperty({ type: [SkippedMemberDto], description: 'members not sent because a stored value cannot travel in a command' }) skipped!: SkippedMemberDto[];
  @ApiProperty({ type: [OwedWorkDto], description: 'work owed to the device (full sync, verification)' }) owed!: OwedWorkDto[];
  @ApiProperty({
    type: [UnknownRowsDto],
    description:
      'rows a count (DATA COUNT user / userauthorize) found beyond those the device confirmed, in a table whose clear its firmware refused for good: records no database row gives it, which no full sync can take off. The device is divergent while any is listed; a later count that matches removes it',
  })
  unknownRows!: UnknownRowsDto[];
  @ApiProperty({
    type: [DeviceCannotHoldDto],
    description:
      "per member, what the database gives it that this device cannot hold whatever is sent (as the person's answer says: secondary cards beyond what its records carry, templates of types its options do not take); " +
      'not desired items, so they do not make the state pending or divergent. First 100 members',
  })
  cannotHold!: DeviceCannotHoldDto[];
  @ApiProperty({
    example: 30000,
    nullable: true,
    type: Number,
    description: "the device's ~MaxUserCount as it reported it (registration or latest parameters); null when it never said. A figure of the firmware's own, not a count of users (the manual's examples give ~MaxUserCount=50 beside ~MaxAttLogCount=10 and TransactionCount=23): fullness is judged from the device's answers (capacityExceeded)",
  })
  maxUserCount!: number | null;
  @ApiProperty({ example: 1200, description: 'the users (persons and visitors) the database gives this device' }) users!: number;
  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description: 'set while the device answers that it is full (a `capacity` Return: -18, -1001) to items it still lacks: which Return, how many items, what to do. The state is divergent meanwhile; the items are retried with backoff and at once when their data changes',
  })
  capacityExceeded!: string | null;
}
