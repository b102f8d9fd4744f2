import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PushModule } from '../push/push.module';
import { SyncModule } from '../sync/sync.module';
import { DeviceAdminService } from './device-admin.service';
import { DeviceControlService } from './device-control.service';
import { DeviceQueueClearService } from './device-queue-clear.service';
import { DeviceGatewayController } from './device-gateway.controller';
import { DeviceController } from './device.controller';
import { Device } from './device.entity';
import { DeviceService } from './device.service';
import { TransactionQueryFollowUp } from './transaction-query-follow-up';

@Module({
  imports: [TypeOrmModule.forFeature([Device]), PushModule, SyncModule],
  controllers: [DeviceController, DeviceGatewayController],
  providers: [DeviceService, DeviceAdminService, DeviceControlService, DeviceQueueClearService, TransactionQueryFollowUp],
  exports: [DeviceService, DeviceAdminService, DeviceControlService, DeviceQueueClearService],
})
export class DeviceModule {}
