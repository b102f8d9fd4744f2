import { Module } from '@nestjs/common';
import { SyncModule } from '../sync/sync.module';
import { AccLevelController } from './acc-level.controller';
import { AccLevelService } from './acc-level.service';

@Module({
  imports: [SyncModule],
  controllers: [AccLevelController],
  providers: [AccLevelService],
  exports: [AccLevelService],
})
export class AccLevelModule {}
