import { AccLevelDoor } from '../accLevel/acc-level-door.entity';
import { AccLevel } from '../accLevel/acc-level.entity';
import { AccLevelPerson } from '../accLevel/acc-level-person.entity';
import { ApiClient } from '../apiClient/api-client.entity';
import { Area } from '../area/area.entity';
import { AttApply } from '../attendance/att-apply.entity';
import { AttAreaPerson } from '../attendance/att-area-person.entity';
import { AttLeaveImage, AttLeaveType } from '../attendance/att-leave.entity';
import { AttOperlog } from '../attendance/att-operlog.entity';
import { AttPerson } from '../attendance/att-person.entity';
import { AttPhoto } from '../attendance/att-photo.entity';
import { AttPoint } from '../attendance/att-point.entity';
import { AttTerminal } from '../attendance/att-terminal.entity';
import { DeviceUserLine } from '../attendance/device-user-line.entity';
import { AttTransaction } from '../attendance/att-transaction.entity';
import { BioTemplate } from '../bioTemplate/bio-template.entity';
import { Card } from '../card/card.entity';
import { Department } from '../department/department.entity';
import { Device } from '../device/device.entity';
import { Door } from '../door/door.entity';
import { Holiday } from '../holiday/holiday.entity';
import { AdMedia } from '../media/ad-media.entity';
import { ParkAuthorize } from '../park/park-authorize.entity';
import { ParkRecord } from '../park/park-record.entity';
import { PsgPassRule } from '../passage/psg-pass-rule.entity';
import { AccFirstOpen, AccFirstOpenPerson } from '../firstOpen/first-open.entity';
import { Person } from '../person/person.entity';
import { DeviceCommand, DeviceCommandAttempt } from '../push/device-command.entity';
import { DeviceRefusal } from '../push/device-refusal.entity';
import { DeviceUpload } from '../push/device-upload.entity';
import { PushTarget } from '../pushCenter/push-target.entity';
import { Reader } from '../reader/reader.entity';
import { SyncItem, SyncOwed, SyncVerify } from '../sync/sync-state.entity';
import { TimeSegment } from '../timeSegment/time-segment.entity';
import { AccTransaction } from '../transaction/acc-transaction.entity';
import { VisLevel } from '../visitor/vis-level.entity';
import { VisRegistration, VisRegistrationLevel } from '../visitor/vis-registration.entity';
import { VisReservation } from '../visitor/vis-reservation.entity';

/**
 * Every entity, in one list by owning module: the same list serves the app, the TypeORM CLI and the tests,
 * which run from TypeScript sources where a glob over dist/ would find nothing. The tables themselves come
 * from the migrations (src/database/migrations/); tables read and written with SQL only have no entity, and
 * those that raw SQL inserts into are described in raw-tables.ts instead.
 */
export const ENTITIES = [
  // API clients, organisation and schedules
  ApiClient, Area, Department, TimeSegment, Holiday,
  // Persons, cards, access levels and the planner's confirmed device state
  Person, Card, AccLevel, AccLevelDoor, AccLevelPerson, AccFirstOpen, AccFirstOpenPerson, SyncItem, SyncOwed, SyncVerify,
  // Devices, doors, readers, channel controllers' pass rules and the device side (command queue, refusals, uploads)
  Device, Door, Reader, PsgPassRule, DeviceCommand, DeviceCommandAttempt, DeviceRefusal, DeviceUpload,
  // Access events
  AccTransaction,
  // Biometric templates and visitors
  BioTemplate, VisLevel, VisReservation, VisRegistration, VisRegistrationLevel,
  // Push Center, media, parking
  PushTarget, AdMedia, ParkAuthorize, ParkRecord,
  // Attendance and FaceKiosk
  AttTransaction, AttOperlog, AttPhoto, AttTerminal, AttPerson, AttAreaPerson, AttApply, AttLeaveType, AttLeaveImage, AttPoint,
  // Users uploaded by devices (the last line applied per device and pin)
  DeviceUserLine,
];
