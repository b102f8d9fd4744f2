import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AreaGatewayController } from './area-gateway.controller';
import { AreaController } from './area.controller';
import { Area } from './area.entity';
import { AreaService } from './area.service';

@Module({
  imports: [TypeOrmModule.forFeature([Area])],
  controllers: [AreaController, AreaGatewayController],
  providers: [AreaService],
  exports: [AreaService],
})
export class AreaModule {}
