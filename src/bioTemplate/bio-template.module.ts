import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PushModule } from '../push/push.module';
import { SyncModule } from '../sync/sync.module';
import { BioEnrolmentHook } from './bio-enrolment.hook';
import { BioEnrolmentService } from './bio-enrolment.service';
import { BioTemplateController } from './bio-template.controller';
import { BioTemplate } from './bio-template.entity';
import { BioTemplateService } from './bio-template.service';

/** 2.25 biometric templates, and templates enrolled at devices (BioEnrolmentService, called by the PUSH upload handler). */
@Module({
  imports: [TypeOrmModule.forFeature([BioTemplate]), PushModule, SyncModule],
  controllers: [BioTemplateController],
  providers: [BioTemplateService, BioEnrolmentService, BioEnrolmentHook],
  exports: [BioEnrolmentService, BioTemplateService],
})
export class BioTemplateModule {}
