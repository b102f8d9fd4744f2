import { Module } from '@nestjs/common';
import { TransactionModule } from '../transaction/transaction.module';
import { LiveStreamController } from './liveStream.controller';
import { LiveStreamService } from './liveStream.service';

/** Server-Sent Events of access events and door states (gateway extension). */
@Module({
  imports: [TransactionModule],
  controllers: [LiveStreamController],
  providers: [LiveStreamService],
  exports: [LiveStreamService],
})
export class LiveStreamModule {}
