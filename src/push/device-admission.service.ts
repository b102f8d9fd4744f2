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

  /** Adds a device by SN before its first contact, admitted (CVSecurity's Device > New). False if the SN is known. */
  async add(sn: string, alias: string | undefined): Promise<boolean> {
    return (await this.registry.addAdmitted(sn, alias)) !== null;
  }

  /** Refuses the device from now on (answered like a pending one). False if the SN is unknown. */
  async disable(sn: string): Promise<boolean> {
    return (await this.registry.setAdmission(sn, 'disabled')) !== null;
  }
}
