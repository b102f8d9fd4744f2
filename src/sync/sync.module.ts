import { Module } from '@nestjs/common';
import { PushModule } from '../push/push.module';
import { SyncStatusController } from './sync-status.controller';
import { SyncOnRegistration } from './sync-on-registration';
import { SyncPlannerService } from './sync-planner.service';
import { ElevatorPlannerService } from './elevator-planner.service';
import { SyncStatusService } from './sync-status.service';

/** The sync planner (domain change → device commands) and the per-device sync status of a person. */
@Module({
  imports: [PushModule],
  controllers: [SyncStatusController],
  providers: [SyncPlannerService, SyncStatusService, SyncOnRegistration, ElevatorPlannerService],
  exports: [SyncPlannerService, ElevatorPlannerService],
})
export class SyncModule {}
