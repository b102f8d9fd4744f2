import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessTokenGuard } from './access-token.guard';
import { ApiClient } from './api-client.entity';
import { ApiClientService } from './api-client.service';

@Module({
  imports: [TypeOrmModule.forFeature([ApiClient])],
  providers: [ApiClientService, { provide: APP_GUARD, useClass: AccessTokenGuard }],
  exports: [ApiClientService],
})
export class ApiClientModule {}
