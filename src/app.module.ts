import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FEATURE_MODULES } from './app.modules';
import { ConfigModule } from './common/config.module';
import { CvExceptionFilter } from './common/exception.filter';
import type { AppConfig } from './config/config';
import { dataSourceOptions } from './database/data-source-options';
import { HealthController } from './health/health.controller';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { MetricsModule } from './metrics/metrics.module';

export interface DatabaseTarget {
  url: string;
  poolSize: number;
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, db: DatabaseTarget, metrics: GatewayMetrics = new GatewayMetrics()): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        MetricsModule.forRoot(metrics),
        TypeOrmModule.forRoot(dataSourceOptions(db.url, { poolSize: db.poolSize })),
        ...FEATURE_MODULES,
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_FILTER, useClass: CvExceptionFilter }],
    };
  }
}
