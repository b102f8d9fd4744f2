import { Module } from '@nestjs/common';
import { SyncModule } from '../sync/sync.module';
import { CardController } from './card.controller';
import { CardService } from './card.service';

@Module({
  imports: [SyncModule],
  controllers: [CardController],
  providers: [CardService],
})
export class CardModule {}
