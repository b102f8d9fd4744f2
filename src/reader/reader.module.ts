import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DoorModule } from '../door/door.module';
import { ReaderController } from './reader.controller';
import { Reader } from './reader.entity';
import { ReaderService } from './reader.service';

@Module({
  imports: [TypeOrmModule.forFeature([Reader]), DoorModule],
  controllers: [ReaderController],
  providers: [ReaderService],
})
export class ReaderModule {}
