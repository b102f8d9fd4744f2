import { Module } from '@nestjs/common';
import { SyncModule } from '../sync/sync.module';
import { TimeSegmentController } from './time-segment.controller';
import { TimeSegmentService } from './time-segment.service';

@Module({
  imports: [SyncModule],
  controllers: [TimeSegmentController],
  providers: [TimeSegmentService],
  exports: [TimeSegmentService],
})
export class TimeSegmentModule {}
