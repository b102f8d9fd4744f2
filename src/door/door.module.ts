import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PushModule } from '../push/push.module';
import { DoorControlService } from './door-control.service';
import { DoorGatewayController } from './door-gateway.controller';
import { DoorController } from './door.controller';
import { Door } from './door.entity';
import { DoorService } from './door.service';

@Module({
  imports: [TypeOrmModule.forFeature([Door]), PushModule],
  controllers: [DoorController, DoorGatewayController],
  providers: [DoorService, DoorControlService],
  exports: [DoorService, DoorControlService],
})
export class DoorModule {}
