import { Module } from '@nestjs/common';
import { SyncModule } from '../sync/sync.module';
import { PersonQueryService } from './person-query.service';
import { PersonController } from './person.controller';
import { PersonService } from './person.service';

@Module({
  imports: [SyncModule],
  controllers: [PersonController],
  providers: [PersonService, PersonQueryService],
  exports: [PersonService, PersonQueryService],
})
export class PersonModule {}
