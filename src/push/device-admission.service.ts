import { Injectable } from '@nestjs/common';
import { DeviceRegistryService } from './device-registry.service';

/** Approval of devices held under DEVICE_ADMISSION=manual (for the device REST endpoints). */
@Injectable()
export class DeviceAdmissionService {
  constructor(private readonly registry: DeviceRegistryService) {}

  /** Admits the device; its next handshake registers it and its next poll receives commands. False if the SN is unknown. */
  async approve(sn: string): Promise<boolean> {
    return (await this.registry.setAdmission(sn, 'admitted')) !== null;
  }

  /** Refuses the device from now on (answered like a pending one). False if the SN is unknown. */
  async disable(sn: string): Promise<boolean> {
    return (await this.registry.setAdmission(sn, 'disabled')) !== null;
  }
}
