import { Module } from '@nestjs/common';
import { AccLevelModule } from '../accLevel/acc-level.module';
import { ApiClientModule } from '../apiClient/api-client.module';
import { AreaModule } from '../area/area.module';
import { DepartmentModule } from '../department/department.module';
import { DeviceModule } from '../device/device.module';
import { DoorModule } from '../door/door.module';
import { HolidayModule } from '../holiday/holiday.module';
import { LiveStreamModule } from '../liveStream/live-stream.module';
import { PersonModule } from '../person/person.module';
import { PushModule } from '../push/push.module';
import { PushCenterModule } from '../pushCenter/push-center.module';
import { SyncModule } from '../sync/sync.module';
import { TimeSegmentModule } from '../timeSegment/time-segment.module';
import { TransactionModule } from '../transaction/transaction.module';
import { VisitorModule } from '../visitor/visitor.module';
import { AttendanceModule } from '../attendance/attendance.module';
import { ElevatorModule } from '../elevator/elevator.module';
import { HepModule } from '../hep/hep.module';
import { MediaModule } from '../media/media.module';
import { ParkModule } from '../park/park.module';
import { PassageModule } from '../passage/passage.module';
import { ConsoleAdvancedFunctionsController } from './advanced-functions.controller';
import { ConsoleAttendanceController } from './attendance.controller';
import { AuditInterceptor } from './audit.interceptor';
import { ConsoleAuditService } from './audit.service';
import { ConsoleCatalogController } from './catalog.controller';
import { ConsoleGuard } from './console.guard';
import { ConsoleStatusService } from './console-status.service';
import { ConsoleDashboardController } from './dashboard.controller';
import { ConsoleDevicesController } from './devices.controller';
import { ConsoleDoorsController } from './doors.controller';
import { ConsoleElevatorController } from './elevator.controller';
import { ConsoleEleLevelsController, ConsolePsgLevelsController } from './module-levels.controller';
import { ConsoleEntranceController } from './entrance.controller';
import { ConsoleFirstOpenController } from './first-open.controller';
import { FirstOpenService } from '../firstOpen/first-open.service';
import { ConsoleHepController } from './hep.controller';
import { ConsoleLevelEditService } from './level-edit.service';
import { PanelRulesService } from './panel-rules.service';
import { ConsoleMediaController } from './media.controller';
import { ConsoleAuditController, ConsoleOperatorsController } from './operators.controller';
import { OperatorService } from './operator.service';
import { ConsoleParkingController } from './parking.controller';
import { ConsolePersonsController } from './persons.controller';
import { ConsoleSessionController } from './session.controller';
import { ConsoleSessionService } from './session.service';
import { ConsoleSettingsController } from './settings.controller';
import { ConsoleRootController, ConsoleStaticController } from './static.controller';
import { ConsoleTransactionsController } from './transactions.controller';
import { ConsoleVisitorsController } from './visitors.controller';
import { BioTemplateModule } from '../bioTemplate/bio-template.module';

/** The operator console: its pages at /console and its session-protected API at /console/api. */
@Module({
  imports: [
    ApiClientModule, PushModule, SyncModule, PersonModule, DeviceModule, DoorModule, TransactionModule, VisitorModule,
    PushCenterModule, LiveStreamModule, DepartmentModule, AreaModule, TimeSegmentModule, HolidayModule, AccLevelModule,
    AttendanceModule, ElevatorModule, PassageModule, HepModule, MediaModule, ParkModule, BioTemplateModule,
  ],
  controllers: [
    ConsoleSessionController, ConsoleDashboardController, ConsolePersonsController, ConsoleDevicesController, ConsoleDoorsController,
    ConsoleTransactionsController, ConsoleVisitorsController, ConsoleSettingsController, ConsoleOperatorsController, ConsoleAuditController,
    ConsoleCatalogController, ConsoleAttendanceController, ConsoleElevatorController, ConsoleEleLevelsController, ConsoleEntranceController, ConsolePsgLevelsController, ConsoleHepController,
    ConsoleMediaController, ConsoleParkingController, ConsoleAdvancedFunctionsController, ConsoleFirstOpenController, ConsoleStaticController, ConsoleRootController,
  ],
  providers: [OperatorService, ConsoleSessionService, ConsoleAuditService, ConsoleStatusService, ConsoleGuard, AuditInterceptor, ConsoleLevelEditService, PanelRulesService, FirstOpenService],
  exports: [OperatorService, ConsoleAuditService],
})
export class ConsoleModule {}
