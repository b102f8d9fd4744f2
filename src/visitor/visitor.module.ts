import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PushModule } from '../push/push.module';
import { SyncModule } from '../sync/sync.module';
import { VisLevel } from './vis-level.entity';
import { VisRegistration, VisRegistrationLevel } from './vis-registration.entity';
import { VisReservation } from './vis-reservation.entity';
import { VisLevelController, VisLevelGatewayController } from './vis-level.controller';
import { VisLevelService } from './vis-level.service';
import { VisRegistrationController, VisRegistrationGatewayController } from './vis-registration.controller';
import { VisRegistrationService } from './vis-registration.service';
import { VisReservationController } from './vis-reservation.controller';
import { VisReservationService } from './vis-reservation.service';
import { VisitorDevicesService } from './visitor-devices.service';
import { VisitorSweeperService } from './visitor-sweeper.service';

/** 2.15-2.17 visitors: reservations, visitor levels, check-in/out reaching the devices, and the expiry sweeper. */
@Module({
  imports: [TypeOrmModule.forFeature([VisLevel, VisReservation, VisRegistration, VisRegistrationLevel]), PushModule, SyncModule],
  controllers: [VisReservationController, VisLevelController, VisLevelGatewayController, VisRegistrationController, VisRegistrationGatewayController],
  providers: [VisReservationService, VisLevelService, VisRegistrationService, VisitorDevicesService, VisitorSweeperService],
  exports: [VisReservationService, VisRegistrationService, VisLevelService],
})
export class VisitorModule {}
