import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AttendanceIngestService } from '../push/attendance/attendance-ingest.service';
import { AttendanceTerminalService } from '../push/attendance/attendance-terminal.service';
import { DeviceRegistryService } from '../push/device-registry.service';
import { AttendanceSyncService } from '../sync/attendance-sync.service';
import { AttendanceEnrolmentService } from './attendance-enrolment.service';

/**
 * Connects the device side of attendance to the planner: a terminal first seen admitted (auto admission at its
 * initialisation, or an operator's approval) gets everything it should hold; enrolments uploaded on OPERLOG are
 * handled inside the upload's transaction.
 */
@Injectable()
export class AttendanceHooks implements OnModuleInit {
  private readonly log = new Logger('AttendanceHooks');

  constructor(
    private readonly ds: DataSource,
    private readonly ingest: AttendanceIngestService,
    private readonly terminals: AttendanceTerminalService,
    private readonly registry: DeviceRegistryService,
    private readonly sync: AttendanceSyncService,
    private readonly enrolment: AttendanceEnrolmentService,
  ) {}

  onModuleInit(): void {
    this.ingest.onOperlog((m, device, records) => this.enrolment.ingest(m, device, records));
    this.terminals.onTerminalReady((e) => this.fullSync(e.deviceId));
    this.registry.onRegistered(async (e) => {
      if (!e.admittedNow) return;
      const [row] = await this.ds.query(`SELECT coalesce(kind_override, kind) AS kind FROM device WHERE id = $1`, [e.deviceId]);
      if (row?.kind === 'att' || row?.kind === 'facekiosk') await this.fullSync(e.deviceId);
    });
  }

  fullSync(deviceId: string): Promise<void> {
    return this.ds.transaction((m) => this.sync.syncTerminalFull(m, deviceId));
  }
}
