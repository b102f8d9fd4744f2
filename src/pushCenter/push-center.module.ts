import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PushCenterController } from './push-center.controller';
import { PushCenterService } from './push-center.service';
import { PushDeliveryWorker } from './push-delivery.worker';
import { PushOutboxRepository } from './push-outbox.repository';
import { PushTarget } from './push-target.entity';

/** Outbound event push ("Push Center", field notes REST item 11). */
@Module({
  imports: [TypeOrmModule.forFeature([PushTarget])],
  controllers: [PushCenterController],
  providers: [PushCenterService, PushOutboxRepository, PushDeliveryWorker],
  exports: [PushCenterService],
})
export class PushCenterModule {}
