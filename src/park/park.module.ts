import { Module } from '@nestjs/common';
import { TransactionModule } from '../transaction/transaction.module';
import { ParkAuthorizeService } from './park-authorize.service';
import { ParkCameraController } from './park-camera.controller';
import { ParkRecordService } from './park-record.service';
import { ParkController } from './park.controller';
import { ParkTransactionController } from './park-transaction.controller';

/** Sections 2.3 and 2.20: plate lists, parking records, and the plate-camera extension that feeds them. */
@Module({
  imports: [TransactionModule],
  controllers: [ParkController, ParkTransactionController, ParkCameraController],
  providers: [ParkAuthorizeService, ParkRecordService],
  exports: [ParkAuthorizeService, ParkRecordService],
})
export class ParkModule {}
