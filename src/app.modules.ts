import { ApiClientModule } from './apiClient/api-client.module';
import { PushModule } from './push/push.module';
import { GroupCommitModule } from './database/group-commit.service';
import { ACCESS_MODULES } from './person/access.modules';
import { DepartmentModule } from './department/department.module';
import { AreaModule } from './area/area.module';
import { DeviceModule } from './device/device.module';
import { DoorModule } from './door/door.module';
import { ReaderModule } from './reader/reader.module';
import { TransactionModule } from './transaction/transaction.module';
import { PushCenterModule } from './pushCenter/push-center.module';
import { LiveStreamModule } from './liveStream/live-stream.module';
import { VISBIO_MODULES } from './bioTemplate/visbio.modules';
import { ConsoleModule } from './console/console.module';
import { ElevatorModule } from './elevator/elevator.module';
import { PassageModule } from './passage/passage.module';
import { HepModule } from './hep/hep.module';
import { MediaModule } from './media/media.module';
import { ParkModule } from './park/park.module';
import { AttendanceModule } from './attendance/attendance.module';

/**
 * The domain and protocol modules, in one list so that adding a module is one line here. AppModule adds
 * the infrastructure around them.
 */
export const FEATURE_MODULES = [
  ApiClientModule,
  GroupCommitModule,
  PushModule,
  ...ACCESS_MODULES,
  DepartmentModule,
  AreaModule, DeviceModule, DoorModule, ReaderModule,
  TransactionModule, PushCenterModule, LiveStreamModule,
  ...VISBIO_MODULES,
  ConsoleModule,
  HepModule, MediaModule, ParkModule,
  ElevatorModule, PassageModule,
  AttendanceModule,
];
