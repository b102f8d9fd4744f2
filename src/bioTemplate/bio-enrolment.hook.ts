import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { UploadIngestService } from '../push/upload-ingest.service';
import { BioEnrolmentService } from './bio-enrolment.service';

/**
 * Subscribes BioEnrolmentService to the PUSH table uploads (`UploadIngestService.onTableUpload`, called after an
 * upload is stored). Looked up through ModuleRef because PushModule does not export the ingest service, and
 * PushModule importing this module would be a cycle.
 */
@Injectable()
export class BioEnrolmentHook implements OnModuleInit {
  private readonly log = new Logger(BioEnrolmentHook.name);

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly enrolment: BioEnrolmentService,
  ) {}

  onModuleInit(): void {
    const uploads = this.moduleRef.get(UploadIngestService, { strict: false }) as Partial<UploadIngestService> | undefined;
    if (!uploads || typeof uploads.onTableUpload !== 'function') {
      this.log.warn('the PUSH upload ingest has no onTableUpload hook: templates enrolled at devices are not synced');
      return;
    }
    uploads.onTableUpload((sn, records) => this.enrolment.ingest(sn, records));
  }
}
