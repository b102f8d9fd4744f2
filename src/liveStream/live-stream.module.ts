import { Module } from '@nestjs/common';
import { PushModule } from '../push/push.module';
import { TransactionModule } from '../transaction/transaction.module';
import { LiveStreamController } from './live-stream.controller';
import { LiveStreamService } from './live-stream.service';

/** Server-Sent Events of access events and door states (gateway extension). */
@Module({
  imports: [TransactionModule, PushModule],
  controllers: [LiveStreamController],
  providers: [LiveStreamService],
  exports: [LiveStreamService],
})
export class LiveStreamModule {}
