import { Module } from '@nestjs/common';
import { SyncModule } from '../sync/sync.module';
import { TimeSegmentController } from './timeSegment.controller';
import { TimeSegmentService } from './timeSegment.service';

@Module({
  imports: [SyncModule],
  controllers: [TimeSegmentController],
  providers: [TimeSegmentService],
  exports: [TimeSegmentService],
})
export class TimeSegmentModule {}
