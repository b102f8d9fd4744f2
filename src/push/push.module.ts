import { DeviceClockService } from './device-clock.service';
import { FactoryResetService } from './factory-reset.service';
import { ActionAnswerService } from './action-answer.service';
import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DeviceKindService } from '../device/device-kind.service';
import { CommandHistoryPruner } from './command-history.pruner';
import { CommandOutcomeHub } from './command-outcome';
import { CommandQueueService } from './command-queue.service';
import { DeviceCommandsController } from './device-commands.controller';
import { DeviceAddressService } from './device-address.service';
import { DeviceAdmissionService } from './device-admission.service';
import { DeviceGuardService } from './device-guard.service';
import { DeviceRegistryService } from './device-registry.service';
import { DeviceStatusService } from './device-status.service';
import { GetrequestRoute } from './getrequest.route';
import { IclockController } from './iclock.controller';
import { PushMetricsCollector } from './push-metrics.collector';
import { defaultPushSettings, PUSH_SETTINGS } from './push-settings';
import { ModuleIngestService } from './module-ingest.service';
import { RtlogIngestService } from './rtlog-ingest.service';
import { RealtimeUploadService } from './realtime-upload.service';
import { RemoteAuthService } from './remote-auth.service';
import { UploadIngestService } from './upload-ingest.service';
import { WorkSignalService } from './work-signal.service';
import { AttendanceIngestService } from './attendance/attendance-ingest.service';
import { AttendanceTerminalService } from './attendance/attendance-terminal.service';

/**
 * The device side: the Security PUSH server (/iclock), the device registry, the durable command queue and
 * the ingest of events and uploads. Other modules use CommandQueueService.enqueue, CommandOutcomeHub.register
 * (final states of commands, in their transaction), DeviceStatusService,
 * DeviceAdmissionService and DeviceRegistryService.onRegistered.
 */
@Module({
  controllers: [IclockController, DeviceCommandsController],
  providers: [
    ActionAnswerService,
    { provide: PUSH_SETTINGS, useFactory: (config: AppConfig) => ({ ...defaultPushSettings(), ackTimeoutMs: config.deviceCommandTimeout * 1000, lostReplyMs: config.deviceLostReplyMs, onlineFloorMs: config.deviceOnlineFloorMs, lastSeenFlushMs: config.deviceLastSeenFlushMs, actionValidMs: config.deviceActionValidSeconds * 1000, actionWaitMs: config.deviceActionWaitMs, refusalProbe: { baseMs: config.syncRefusalProbeMs, maxMs: config.syncRefusalProbeMaxMs } }), inject: [APP_CONFIG] },
    WorkSignalService,
    DeviceRegistryService,
    DeviceKindService,
    DeviceAdmissionService,
    DeviceStatusService,
    DeviceAddressService,
    DeviceGuardService,
    CommandOutcomeHub,
    CommandQueueService,
    DeviceClockService,
    FactoryResetService,
    CommandHistoryPruner,
    RtlogIngestService,
    RealtimeUploadService,
    RemoteAuthService,
    ModuleIngestService,
    UploadIngestService,
    GetrequestRoute,
    AttendanceIngestService,
    AttendanceTerminalService,
    PushMetricsCollector,
  ],
  exports: [PUSH_SETTINGS, FactoryResetService, ActionAnswerService, CommandQueueService, CommandOutcomeHub, DeviceKindService, DeviceStatusService, DeviceAdmissionService, DeviceAddressService, DeviceRegistryService, WorkSignalService, AttendanceIngestService, AttendanceTerminalService],
})
export class PushModule {}
