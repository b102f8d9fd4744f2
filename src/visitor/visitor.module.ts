import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PushModule } from '../push/push.module';
import { SyncModule } from '../sync/sync.module';
import { VISITOR_ENTITIES } from './visitor.entities';
import { VisLevelController, VisLevelGatewayController } from './visLevel.controller';
import { VisLevelService } from './visLevel.service';
import { VisRegistrationController, VisRegistrationGatewayController } from './visRegistration.controller';
import { VisRegistrationService } from './visRegistration.service';
import { VisReservationController } from './visReservation.controller';
import { VisReservationService } from './visReservation.service';
import { VisitorDevicesService } from './visitor-devices.service';
import { VisitorSweeperService } from './visitor-sweeper.service';

/** 2.15-2.17 visitors: reservations, visitor levels, check-in/out reaching the devices, and the expiry sweeper. */
@Module({
  imports: [TypeOrmModule.forFeature(VISITOR_ENTITIES), PushModule, SyncModule],
  controllers: [VisReservationController, VisLevelController, VisLevelGatewayController, VisRegistrationController, VisRegistrationGatewayController],
  providers: [VisReservationService, VisLevelService, VisRegistrationService, VisitorDevicesService, VisitorSweeperService],
  exports: [VisReservationService, VisRegistrationService],
})
export class VisitorModule {}
