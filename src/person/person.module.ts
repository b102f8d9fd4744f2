import { Module } from '@nestjs/common';
import { SyncModule } from '../sync/sync.module';
import { PersonQueryService } from './person-query.service';
import { PersonController } from './person.controller';
import { PersonPhotoController } from './person-photo.controller';
import { PersonService } from './person.service';

@Module({
  imports: [SyncModule],
  controllers: [PersonController, PersonPhotoController],
  providers: [PersonService, PersonQueryService],
  exports: [PersonService, PersonQueryService],
})
export class PersonModule {}
