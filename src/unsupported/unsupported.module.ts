import { Module } from '@nestjs/common';
import { UnsupportedController } from './unsupported.controller';

/** The manual's modules the gateway does not serve, answered with a clear -501 (see unsupported-modules.ts). */
@Module({ controllers: [UnsupportedController] })
export class UnsupportedModule {}
