import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccLevelModule } from './accLevel/acc-level.module';
import { ApiClientModule } from './apiClient/api-client.module';
import { AreaModule } from './area/area.module';
import { AttendanceModule } from './attendance/attendance.module';
import { BioTemplateModule } from './bioTemplate/bio-template.module';
import { CardModule } from './card/card.module';
import { ConfigModule } from './common/config.module';
import { CvExceptionFilter } from './common/exception.filter';
import type { AppConfig } from './config/config';
import { ConsoleModule } from './console/console.module';
import { dataSourceOptions } from './database/data-source-options';
import { GroupCommitModule } from './database/group-commit.service';
import { DepartmentModule } from './department/department.module';
import { DeviceModule } from './device/device.module';
import { DoorModule } from './door/door.module';
import { ElevatorModule } from './elevator/elevator.module';
import { HealthController } from './health/health.controller';
import { HepModule } from './hep/hep.module';
import { HolidayModule } from './holiday/holiday.module';
import { LiveStreamModule } from './liveStream/live-stream.module';
import { MediaModule } from './media/media.module';
import { GatewayMetrics } from './metrics/gateway-metrics';
import { MetricsModule } from './metrics/metrics.module';
import { ParkModule } from './park/park.module';
import { PassageModule } from './passage/passage.module';
import { PersonModule } from './person/person.module';
import { PushModule } from './push/push.module';
import { PushCenterModule } from './pushCenter/push-center.module';
import { ReaderModule } from './reader/reader.module';
import { SyncModule } from './sync/sync.module';
import { TimeSegmentModule } from './timeSegment/time-segment.module';
import { TransactionModule } from './transaction/transaction.module';
import { VisitorModule } from './visitor/visitor.module';

export interface DatabaseTarget {
  url: string;
  poolSize: number;
}

/** The domain and protocol modules: adding a module is one line here. AppModule adds the infrastructure. */
const FEATURE_MODULES = [
  ApiClientModule, GroupCommitModule, PushModule,
  // Access control: the planner, persons, cards, levels, time segments, holidays
  SyncModule, PersonModule, CardModule, AccLevelModule, TimeSegmentModule, HolidayModule,
  DepartmentModule, AreaModule, DeviceModule, DoorModule, ReaderModule,
  TransactionModule, PushCenterModule, LiveStreamModule,
  BioTemplateModule, VisitorModule,
  ConsoleModule,
  HepModule, MediaModule, ParkModule,
  ElevatorModule, PassageModule,
  AttendanceModule,
];

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
