import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PushModule } from '../push/push.module';
import { SyncModule } from '../sync/sync.module';
import { DoorAdminService } from './door-admin.service';
import { DoorControlService } from './door-control.service';
import { DoorGatewayController } from './door-gateway.controller';
import { DoorController } from './door.controller';
import { Door } from './door.entity';
import { DoorService } from './door.service';

@Module({
  imports: [TypeOrmModule.forFeature([Door]), PushModule, SyncModule],
  controllers: [DoorController, DoorGatewayController],
  providers: [DoorService, DoorControlService, DoorAdminService],
  exports: [DoorService, DoorControlService, DoorAdminService],
})
export class DoorModule {}
