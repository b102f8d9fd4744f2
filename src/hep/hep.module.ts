import { Module } from '@nestjs/common';
import { TransactionModule } from '../transaction/transaction.module';
import { EventPhotoController } from './event-photo.controller';
import { HepController } from './hep.controller';
import { HepRepository } from './hep.repository';
import { HepService } from './hep.service';

/** Section 2.26: temperature and mask events, and the event snapshots their photoPath serves. */
@Module({
  imports: [TransactionModule],
  controllers: [HepController, EventPhotoController],
  providers: [HepRepository, HepService],
  exports: [HepService],
})
export class HepModule {}
