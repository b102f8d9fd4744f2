import { Module } from '@nestjs/common';
import { PushModule } from '../push/push.module';
import { SyncConfirmation } from './sync-confirm';
import { SyncMetricsCollector } from './sync-metrics.collector';
import { SyncPlannerService } from './sync-planner.service';
import { SyncReconciler } from './sync-reconciler.service';
import { SyncVerifier } from './sync-verifier.service';
import { SyncStatusController } from './sync-status.controller';
import { ElevatorPlannerService } from './elevator-planner.service';
import { SyncStatusService } from './sync-status.service';
import { AttendanceSyncService } from './attendance-sync.service';

/** The sync planner (desired state → device commands), confirmation from Return codes, the reconciler and the sync status. */
@Module({
  imports: [PushModule],
  controllers: [SyncStatusController],
  providers: [SyncPlannerService, SyncStatusService, SyncConfirmation, SyncReconciler, SyncVerifier, SyncMetricsCollector, ElevatorPlannerService, AttendanceSyncService],
  exports: [SyncPlannerService, SyncReconciler, SyncVerifier, SyncStatusService, ElevatorPlannerService, AttendanceSyncService],
})
export class SyncModule {}
