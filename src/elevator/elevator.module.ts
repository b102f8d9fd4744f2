import { Module } from '@nestjs/common';
import { PushModule } from '../push/push.module';
import { SyncModule } from '../sync/sync.module';
import { TransactionModule } from '../transaction/transaction.module';
import { EleDeviceController } from './ele-device.controller';
import { EleLevelController } from './ele-level.controller';
import { EleTransactionController } from './ele-transaction.controller';
import { ElevatorRegistration } from './elevator-registration';
import { FloorController } from './floor.controller';
import { FloorService } from './floor.service';
import { ModuleDeviceService } from './module-device.service';
import { ModuleLevelService } from './module-level.service';
import { ModuleTransactionService } from './module-transaction.service';

/** Elevator control (2.2, 2.10, 2.12, 2.19); its level, device and event services serve entrance control too. */
@Module({
  imports: [PushModule, SyncModule, TransactionModule],
  controllers: [EleLevelController, EleDeviceController, FloorController, EleTransactionController],
  providers: [FloorService, ModuleDeviceService, ModuleLevelService, ModuleTransactionService, ElevatorRegistration],
  exports: [FloorService, ModuleDeviceService, ModuleLevelService, ModuleTransactionService],
})
export class ElevatorModule {}
