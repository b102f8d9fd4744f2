/** 2.26 `status`: the manual's three body-temperature states, spelled as its examples print them. */
export type HepStatus = 'Normal' | 'Abnormal' | 'Unmeasured';

/** Event 68: "High body temperature - Access Denied" (the device judged a fever even when it sent no value). */
export const HIGH_TEMPERATURE_EVENT = 68;

/**
 * Judged at read time against the configured threshold (HEP_FEVER_THRESHOLD), so a changed threshold applies
 * to stored events too. A temperature at or above the threshold is abnormal; event 68 is abnormal whatever it
 * carries; no measurement is unmeasured.
 */
export function hepStatus(celsius: number | null, eventNo: number, threshold: number): HepStatus {
  if (eventNo === HIGH_TEMPERATURE_EVENT) return 'Abnormal';
  if (celsius === null) return 'Unmeasured';
  return celsius >= threshold ? 'Abnormal' : 'Normal';
}
