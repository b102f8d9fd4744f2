import { ApiProperty } from '@nestjs/swagger';
import { formatEventTime } from '../../transaction/event-time-format';
import { nameText, transactionIdToApi } from '../../transaction/dto/transaction-response.dto';
import { hepStatus, type HepStatus } from '../hep-status';

/** One temperature/mask event as the hep queries select it. */
export interface HepRow {
  id: string;
  event_time: Date;
  pin: string | null;
  name: string | null;
  last_name: string | null;
  dept_name: string | null;
  area_name: string | null;
  card_no: string | null;
  device_sn: string;
  verify_mode_name: string | null;
  event_name: string | null;
  event_point_name: string | null;
  reader_name: string | null;
  dev_alias: string | null;
  log_id: number | null;
  event_no: number;
  mask_flag: number | null;
  celsius: number | null;
  /** File name of the ATTPHOTO snapshot linked to the event, if the device uploaded one. */
  photo: string | null;
}

/** The monitor item (2.26.2): no verifyModeName, readerName, accZone or logId; id is "" as the manual says. */
export class HepMonitorItemDto {
  @ApiProperty({ example: '', description: 'always "" (the manual: no event id in the real-time monitor)' }) id!: string;
  @ApiProperty({ example: '2020-07-03 16:57:16' }) eventTime!: string | null;
  @ApiProperty({ example: '1', description: '"0" for events without a registered person' }) pin!: string;
  @ApiProperty({ example: 'seven', description: '"UnregisterUser" for an unregistered person (pin "0"); "" when the person has none' }) name!: string;
  @ApiProperty({ example: 'wu', description: '"" when the person has none' }) lastName!: string;
  @ApiProperty({ example: 'Department Name', description: '"NULL" for an unregistered person (pin "0"), as 2.26.1\'s example; "" when a person has none' }) deptName!: string;
  @ApiProperty({ example: 'Area Name', nullable: true, type: String }) areaName!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) cardNo!: string | null;
  @ApiProperty({ example: 'CKJF201260077' }) devSn!: string;
  @ApiProperty({ example: 'Normal Verify Open', nullable: true, type: String }) eventName!: string | null;
  @ApiProperty({ example: '192.168.218.202-1' }) eventPointName!: string;
  @ApiProperty({ example: '192.168.218.202', nullable: true, type: String }) devName!: string | null;
  @ApiProperty({ example: '315', description: "the device's record index (rtlog index), else the gateway's event number" }) eventNumber!: string;
  @ApiProperty({ example: '/upload/event/photo/CKJF201260077/20200703165716-1.jpg', nullable: true, type: String, description: 'served path of the ATTPHOTO snapshot; null when the device sent none' })
  photoPath!: string | null;
  @ApiProperty({ example: '1', nullable: true, type: String, description: '0 no mask, 1 mask, null not detected' }) maskFlag!: string | null;
  @ApiProperty({ example: 36.6, nullable: true, type: Number, description: 'degrees Celsius' }) temperature!: number | null;
  @ApiProperty({ example: 'Normal', enum: ['Normal', 'Abnormal', 'Unmeasured'] }) status!: HepStatus;
}

/** The list item (2.26.1). */
export class HepItemDto extends HepMonitorItemDto {
  @ApiProperty({ example: null, nullable: true, type: String }) verifyModeName!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) readerName!: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) accZone!: string | null;
  @ApiProperty({ example: null, nullable: true, type: Number }) logId!: number | null;
}

/** The served path of an event snapshot (EventPhotoController). */
export const eventPhotoPath = (sn: string, file: string): string => `/upload/event/photo/${encodeURIComponent(sn)}/${encodeURIComponent(file)}`;

/** The name 2.26.1's example gives the event of an unregistered person (pin "0"): CVSecurity's own word. */
export const UNREGISTERED_NAME = 'UnregisterUser';

/** The department 2.26.1's example gives the event of an unregistered person: the text "NULL", CVSecurity's own. */
export const UNREGISTERED_DEPT_NAME = 'NULL';

export function toHepMonitorItem(row: HepRow, timeZone: string, threshold: number): HepMonitorItemDto {
  const pin = row.pin ?? '0';
  const stranger = pin === '0' || pin === '';
  return {
    id: '',
    eventTime: formatEventTime(row.event_time, timeZone),
    pin,
    // "" when the person has none, never null, as 2.26's examples (lastName "") and the 2.18 lists; a stranger
    // (pin "0", a face no panel user matches) is "UnregisterUser" of department "NULL", as 2.26.1's example answers.
    name: stranger ? UNREGISTERED_NAME : nameText(row.name),
    lastName: nameText(row.last_name),
    deptName: stranger ? UNREGISTERED_DEPT_NAME : nameText(row.dept_name),
    areaName: row.area_name,
    cardNo: row.card_no,
    devSn: row.device_sn,
    eventName: row.event_name,
    eventPointName: row.event_point_name ?? '',
    devName: row.dev_alias,
    eventNumber: String(row.log_id ?? row.id),
    photoPath: row.photo ? eventPhotoPath(row.device_sn, row.photo) : null,
    maskFlag: row.mask_flag === null ? null : String(row.mask_flag),
    temperature: row.celsius,
    status: hepStatus(row.celsius, row.event_no, threshold),
  };
}

export function toHepItem(row: HepRow, timeZone: string, threshold: number): HepItemDto {
  return {
    ...toHepMonitorItem(row, timeZone, threshold),
    id: transactionIdToApi(row.id),
    verifyModeName: row.verify_mode_name,
    readerName: row.reader_name,
    accZone: null,
    logId: row.log_id,
  };
}
