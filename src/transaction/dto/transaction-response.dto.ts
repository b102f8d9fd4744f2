import { ApiProperty } from '@nestjs/swagger';
import type { V2PageDocs } from '../../common/envelope';
import { formatEventTime } from '../event-time-format';
import type { TransactionListRow, TransactionRow } from '../transaction.repository';

/**
 * acc_transaction ids are bigints; the API shows them as CVSecurity's 32-hex ids (zero-padded hex), and
 * getById accepts that form or the plain number.
 */
export function transactionIdToApi(id: string | number | bigint): string {
  return BigInt(id).toString(16).padStart(32, '0');
}

const MAX_BIGINT = (1n << 63n) - 1n;

/** The readerName of an event no reader took part in (2.18's examples). */
export const READER_OTHERS = 'others';

export function transactionIdFromApi(text: string | undefined | null): string | undefined {
  const s = (text ?? '').trim();
  let v: bigint;
  if (/^[0-9a-fA-F]{32}$/.test(s)) v = BigInt(`0x${s}`);
  else if (/^\d{1,19}$/.test(s)) v = BigInt(s);
  else return undefined;
  return v > 0n && v <= MAX_BIGINT ? v.toString() : undefined;
}

/**
 * name, lastName and deptName are "" when unknown or empty, never null: every example of the lists (2.18.1,
 * 2.18.3, 2.18.6, 2.18.11, 2.19, 2.21, 2.34) shows "", for a device event and for an event with a pin whose person
 * the server does not know (2.34.7: pin "1", deptName ""), and clients concatenate them or read them as strings.
 */
export const nameText = (v: string | null): string => v ?? '';

/** The v1 list item (2.18.1, 2.18.3, 2.18.6). */
export class TransactionV1ItemDto {
  @ApiProperty({ example: '402856aa6c3c5063016c3cb3a0360005' }) id!: string;
  @ApiProperty({ example: '2017-08-04 15:59:12' }) eventTime!: string | null;
  @ApiProperty({ example: '57', description: '"" for device events' }) pin!: string;
  @ApiProperty({ example: 'Leo', description: '"" when unknown' }) name!: string;
  @ApiProperty({ example: 'Hou', description: '"" when the person has none' }) lastName!: string;
  @ApiProperty({ example: 'Department Name', description: '"" when unknown' }) deptName!: string;
  @ApiProperty({ example: 'Area Name', nullable: true, type: String }) areaName!: string | null;
  @ApiProperty({ example: '', description: '"" when no card was used' }) cardNo!: string;
  @ApiProperty({ example: '5662012052868' }) devSn!: string;
  @ApiProperty({ example: 'Face', nullable: true, type: String }) verifyModeName!: string | null;
  @ApiProperty({ example: 'Normal Verify Open', nullable: true, type: String }) eventName!: string | null;
  @ApiProperty({ example: '10.8.14.210-1', description: '"" for device events' }) eventPointName!: string;
  @ApiProperty({ example: '10.8.14.210-1-Out', nullable: true, type: String }) readerName!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String, required: false, description: 'absent in 2.18.1' }) accZone?: string | null;
  @ApiProperty({ example: '10.8.14.210', nullable: true, type: String }) devName!: string | null;
  @ApiProperty({ example: 161, nullable: true, type: Number }) logId!: number | null;
}

/** The v2 item (v2 lists, getById, 2.18.11). */
export class TransactionV2ItemDto extends TransactionV1ItemDto {
  @ApiProperty({ example: 0 }) eventNo!: number;
  @ApiProperty({ example: 0, description: '0 normal, 1 warning, 2 alarm' }) eventLevel!: number;
  @ApiProperty({ example: '10.8.14.210-1', nullable: true, type: String }) doorName!: string | null;
  @ApiProperty({ example: '', description: 'base64 JPEG the device captured with the event (its ATTPHOTO upload), else the photo of the IPC camera linked to it (the panel\'s linkphotoinfo upload naming its index, the first one received); "" when none was uploaded' })
  capturePhotoBase64!: string;
}

/** The monitor item (2.18.5): no id, name, lastName or deptName. */
export class TransactionMonitorItemDto {
  @ApiProperty({ example: '2017-05-15 16:35:41' }) eventTime!: string | null;
  @ApiProperty({ example: '' }) pin!: string;
  @ApiProperty({ example: 'Area Name', nullable: true, type: String }) areaName!: string | null;
  @ApiProperty({ example: '9606650' }) cardNo!: string;
  @ApiProperty({ example: '0564140100195' }) devSn!: string;
  @ApiProperty({ example: 'card or fingerprint', nullable: true, type: String }) verifyModeName!: string | null;
  @ApiProperty({ example: 'card is not registered', nullable: true, type: String }) eventName!: string | null;
  @ApiProperty({ example: '192.168.218.11-1' }) eventPointName!: string;
  @ApiProperty({ example: '192.168.218.11-1-Out', nullable: true, type: String }) readerName!: string | null;
  @ApiProperty({ example: '192.168.218.11', nullable: true, type: String }) devName!: string | null;
}

/** One day of a person (2.18.8, 2.18.9). */
export class FirstInLastOutItemDto {
  @ApiProperty({ example: '40285ab374521d14017452820eb50005', description: 'id of the first event of the day' }) id!: string;
  @ApiProperty({ example: '147' }) pin!: string;
  @ApiProperty({ example: '', description: '"" when unknown' }) name!: string;
  @ApiProperty({ example: '', description: '"" when the person has none' }) lastName!: string;
  @ApiProperty({ example: '192.168.218.183-1-In', nullable: true, type: String }) readerNameIn!: string | null;
  @ApiProperty({ example: '2020-09-03 13:48:07', nullable: true, type: String }) firstInTime!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) readerNameOut!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) lastOutTime!: string | null;
  @ApiProperty({ example: '1', description: '"" when unknown' }) deptCode!: string;
  @ApiProperty({ example: 'Department Name', description: '"" when unknown' }) deptName!: string;
}

export function toV1Item(row: TransactionListRow, timeZone: string, withAccZone = true): TransactionV1ItemDto {
  const item: TransactionV1ItemDto = {
    id: transactionIdToApi(row.id),
    eventTime: formatEventTime(row.event_time, timeZone),
    pin: row.pin ?? '',
    name: nameText(row.name),
    lastName: nameText(row.last_name),
    deptName: nameText(row.dept_name),
    areaName: row.area_name,
    cardNo: row.card_no ?? '',
    devSn: row.device_sn,
    verifyModeName: row.verify_mode_name,
    eventName: row.event_name,
    eventPointName: row.event_point_name ?? '',
    // An event with no reader (remote opening, device started, connected to the server) names "others", as 2.18's examples do.
    readerName: row.reader_name ?? READER_OTHERS,
    accZone: null,
    devName: row.dev_alias,
    logId: row.log_id,
  };
  if (!withAccZone) delete item.accZone;
  return item;
}

/** `capturePhoto`: the event's ATTPHOTO upload or IPC linkage photo, base64 (TransactionRepository.capturePhotos). */
export function toV2Item(row: TransactionListRow, timeZone: string, capturePhoto = ''): TransactionV2ItemDto {
  // Extends the v1 object in place (no spread copy per row of a page).
  return Object.assign(toV1Item(row, timeZone), {
    eventNo: row.event_no,
    eventLevel: row.event_level,
    doorName: row.door_name,
    capturePhotoBase64: capturePhoto,
  });
}

export function toMonitorItem(row: TransactionRow, timeZone: string): TransactionMonitorItemDto {
  return {
    eventTime: formatEventTime(row.event_time, timeZone),
    pin: row.pin ?? '',
    areaName: row.area_name,
    cardNo: row.card_no ?? '',
    devSn: row.device_sn,
    verifyModeName: row.verify_mode_name,
    eventName: row.event_name,
    eventPointName: row.event_point_name ?? '',
    readerName: row.reader_name ?? READER_OTHERS,
    devName: row.dev_alias,
  };
}

/** 2.18.2's page documents its fields as the request sent them; shared with the door transaction list that reuses it. */
export const transactionV2PageDocs: V2PageDocs = {
  page: { description: 'pageNo - 1' },
  size: { description: 'the requested pageSize' },
  total: { example: 39 },
  lastPage: { example: false },
};
