import { DynamicModule, Global, Module } from '@nestjs/common';
import { GatewayMetrics } from './gateway-metrics';
import { MetricsController } from './metrics.controller';
import { QueueMetricsCollector } from './queue-metrics.collector';

@Global()
@Module({})
export class MetricsModule {
  static forRoot(metrics: GatewayMetrics): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [{ provide: GatewayMetrics, useValue: metrics }, QueueMetricsCollector],
      exports: [GatewayMetrics],
    };
  }
}
