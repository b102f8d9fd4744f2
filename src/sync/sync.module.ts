import { Module } from '@nestjs/common';
import { PushModule } from '../push/push.module';
import { SyncStatusController } from './sync-status.controller';
import { SyncOnRegistration } from './sync-on-registration';
import { SyncPlannerService } from './sync-planner.service';
import { SyncStatusService } from './sync-status.service';
import { AttendanceSyncService } from './attendance-sync.service';

/** The sync planner (domain change → device commands) and the per-device sync status of a person. */
@Module({
  imports: [PushModule],
  controllers: [SyncStatusController],
  providers: [SyncPlannerService, SyncStatusService, SyncOnRegistration, AttendanceSyncService],
  exports: [SyncPlannerService, AttendanceSyncService],
})
export class SyncModule {}
