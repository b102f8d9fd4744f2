import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { speaksAttendance } from './attendance/attendance-terminal.service';
import { clip, type DeviceSession } from './device-registry.service';
import { eventContent, heldAlready, MODULE_STORED_CONTENT_SQL, rekeyed, STORED_CONTENT_SQL, storedContents } from './event-content';
import { parseRtlog, rtlogEventKey, type RtlogEvent } from './protocol';

/** Appendix 19: "Restore the factory settings", reported in rtlog by a panel whose tables were just wiped. */
export const FACTORY_RESET_EVENT = 6016;

/** A panel that reported a factory reset the gateway had not seen before. */
export interface FactoryResetEvent {
  deviceId: string;
  sn: string;
  /** The event's key (rtlogEventKey), for the log. */
  key: string;
  /**
   * Every reset in the upload is an event stored before: the same upload posted again (its answer lost), the table
   * uploaded again, or the panel reset again with its numbering and clock restarted (the same index and time).
   */
  seenBefore: boolean;
}

/** Cheap test of an rtlog body before it is parsed a second time: most uploads hold no such event. */
export const mayReportFactoryReset = (body: string): boolean => body.includes(String(FACTORY_RESET_EVENT));

/**
 * Event 6016 (Appendix 19, "Restore the factory settings") in a Security PUSH device's rtlog: the panel's users,
 * rights, time zones, templates and photos are gone, whatever the gateway believes it confirmed. A panel that keeps
 * its server settings through the reset may come back without a new registration, so the count a registration asks
 * for is not asked, and nothing else would bring its tables back before the periodic count. Listeners (the sync
 * reconciler) record a full sync as owed, in the transaction given them, so the owed work is in the database before
 * the upload is stored and answered: a gateway restarted meanwhile still does it.
 *
 * An event the gateway has stored already (`seenBefore`) is either the same record again (a panel posts an upload
 * again when its answer was lost; its transaction table re-uploads old records under the same key, rtlogEventKey) or
 * a second reset: a reset panel numbers its records from 1 again and may restart its clock at the same time, so a
 * panel reset twice (power cycled during the first reset's full sync, reset again) reports the very same event. The
 * record cannot tell which; the panel's tables can. So listeners owe a full sync for a new event, and a count (the
 * re-registration's) for one seen before: a re-post costs a few DATA COUNT commands, never a full sync per re-post,
 * and a second reset fails the count and gets its full sync (a count that gives no number owes it too). The check runs before the event is
 * stored; a gateway stopped between the two sees the event as new when the panel sends it again, which costs one
 * full sync, never a lost one.
 */
@Injectable()
export class FactoryResetService {
  private readonly log = new Logger('FactoryReset');
  private readonly txListeners: Array<(m: EntityManager, e: FactoryResetEvent) => Promise<void>> = [];

  constructor(private readonly ds: DataSource) {}

  private listening(device: DeviceSession): boolean {
    return device.admission === 'admitted' && !speaksAttendance(device) && this.txListeners.length > 0;
  }

  /** `fn` runs in the transaction that sees the reset as new, before its event is stored. */
  onResetInTransaction(fn: (m: EntityManager, e: FactoryResetEvent) => Promise<void>): void {
    this.txListeners.push(fn);
  }

  /** Runs the listeners for each factory reset in `body` (an rtlog upload of `device`) not stored before. */
  async observe(device: DeviceSession, body: string): Promise<void> {
    if (!this.listening(device)) return;
    await this.observeEvents(device, parseRtlog(body, { doorCount: device.lockCount || null }).results.filter((r): r is RtlogEvent => r.kind === 'event'));
  }

  /**
   * The same for events read from the panel's `transaction` table (a `table=tabledata` upload or a `DATA QUERY`
   * answer): a panel reset while it could not reach the gateway keeps event 6016 there and may never send it in
   * rtlog, so a re-uploaded table is where the gateway first learns its tables are gone. Its key is the rtlog one
   * (transactionRecordToEvent), so a reset seen either way owes one full sync.
   */
  async observeEvents(device: DeviceSession, events: readonly RtlogEvent[]): Promise<void> {
    if (!this.listening(device)) return;
    const resets = events.filter((e) => e.event === FACTORY_RESET_EVENT);
    if (resets.length === 0) return;
    // Several in one upload (a panel reset twice while offline) owe one full sync.
    const keys = [...new Set(resets.map((r) => clip(rtlogEventKey(device.sn, r), 200)!))];
    const module = device.kind === 'ele' || device.kind === 'psg' ? device.kind : null;
    await this.ds.transaction(async (m) => {
      const seenBefore = await this.storedAlready(m, device, module, resets);
      const key = keys[keys.length - 1];
      if (seenBefore) this.log.log(`device ${device.sn} reports a factory reset stored before (event ${FACTORY_RESET_EVENT}, ${key}): posted again, or reset again; it is counted`);
      else this.log.warn(`device ${device.sn} reports a factory reset (event ${FACTORY_RESET_EVENT}, ${key}): its tables are gone; a full sync is owed`);
      for (const fn of this.txListeners) await fn(m, { deviceId: device.id, sn: device.sn, key, seenBefore });
    });
  }

  /**
   * Whether every reset is an event stored already (an access event, or the module's for an elevator or channel
   * controller). A reset whose index and time a stored event of other content holds (its numbering and clock started
   * again, event-content.ts) is new: it is stored rekeyed.
   */
  private async storedAlready(m: EntityManager, device: DeviceSession, module: 'ele' | 'psg' | null, resets: readonly RtlogEvent[]): Promise<boolean> {
    const records = resets.map((r) => ({ key: clip(rtlogEventKey(device.sn, r), 200)!, content: eventContent(r), indexed: r.index !== null }));
    const keys = [...new Set(records.flatMap((r) => (r.indexed ? [r.key, rekeyed(r.key, r.content)] : [r.key])))];
    const held = storedContents(await (module ? m.query(MODULE_STORED_CONTENT_SQL, [keys, module]) : m.query(STORED_CONTENT_SQL, [keys])));
    return records.every((r) => (r.indexed ? heldAlready(held, r.key, r.content) : held.has(r.key)));
  }
}
