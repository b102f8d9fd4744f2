import { Module } from '@nestjs/common';
import { SyncModule } from '../sync/sync.module';
import { AccLevelController } from './accLevel.controller';
import { AccLevelService } from './accLevel.service';

@Module({
  imports: [SyncModule],
  controllers: [AccLevelController],
  providers: [AccLevelService],
  exports: [AccLevelService],
})
export class AccLevelModule {}
