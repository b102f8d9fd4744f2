import { Injectable, type OnModuleInit } from '@nestjs/common';
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
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly enrolment: BioEnrolmentService,
  ) {}

  onModuleInit(): void {
    this.moduleRef.get(UploadIngestService, { strict: false }).onTableUpload((device, records) => this.enrolment.ingest(device.sn, records));
  }
}
