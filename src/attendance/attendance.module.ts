import { Module } from '@nestjs/common';
import { AreaModule } from '../area/area.module';
import { DeviceModule } from '../device/device.module';
import { PushModule } from '../push/push.module';
import { SyncModule } from '../sync/sync.module';
import { TransactionModule } from '../transaction/transaction.module';
import { AttApplyController } from './att-apply.controller';
import { AttApplyService } from './att-apply.service';
import { AttAreaPersonController } from './att-area-person.controller';
import { AttAreaPersonService } from './att-area-person.service';
import { AttDeviceController } from './att-device.controller';
import { AttGatewayController } from './att-gateway.controller';
import { AttPersonController } from './att-person.controller';
import { AttPersonService } from './att-person.service';
import { AttTransactionController } from './att-transaction.controller';
import { AttTransactionService } from './att-transaction.service';
import { AttendanceEnrolmentService } from './attendance-enrolment.service';
import { AttendanceHooks } from './attendance-hooks';
import { TerminalCommandService } from './terminal-command.service';

/**
 * Attendance and FaceKiosk (manual 2.8, 2.21-2.24, 2.27-2.29): punches, terminals, area membership, person
 * settings, applications. The device side (initialisation, ATTLOG/OPERLOG ingest) lives in PushModule; the
 * planning of terminal commands in SyncModule (AttendanceSyncService).
 */
@Module({
  imports: [PushModule, SyncModule, AreaModule, DeviceModule, TransactionModule],
  controllers: [AttTransactionController, AttDeviceController, AttAreaPersonController, AttPersonController, AttApplyController, AttGatewayController],
  providers: [AttTransactionService, AttAreaPersonService, AttPersonService, AttApplyService, AttendanceEnrolmentService, AttendanceHooks, TerminalCommandService],
  exports: [AttTransactionService, AttAreaPersonService, TerminalCommandService],
})
export class AttendanceModule {}
