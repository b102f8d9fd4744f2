/**
 * The readers of a device's doors, from its registration's LockCount (doors: an access panel's doors, a channel
 * controller's gates, one per lane) and ReaderCount (readers), as CVSecurity makes one reader per physical
 * reader the device declares. A door has an in reader (`in_out` 0) and, when it is passed both ways, an out
 * reader (1): ReaderCount twice the doors is every door both ways (an inBio260's 2 doors and 4 readers; the
 * manual's 2.33 example: gate 1's readers 1 in and 2 out); as many readers as doors, every door one way (in
 * only: an inBio460 wired with 4 readers, a single-door SpeedFace with its one reader); in between, the first
 * doors both ways and the rest one way; fewer readers than doors, the first doors get an in reader and the
 * others none (opened only by a button, remotely or by free passage). Readers are numbered in door order. A
 * ReaderCount that is not given (0) or above twice the doors is read as every door both ways: the gateway never
 * leaves out a reader it has no count for, and it has no place for a third reader of one direction.
 * Pure: no I/O.
 */
export interface LaidOutReader {
  doorNo: number;
  inOut: 0 | 1;
  readerNo: number;
}

export function readerLayout(doors: number, readerCount: number): LaidOutReader[] {
  const out: LaidOutReader[] = [];
  if (doors <= 0) return out;
  const readers = readerCount > 0 && readerCount < doors * 2 ? readerCount : doors * 2;
  // Doors passed both ways: as many as the readers beyond one per door allow.
  const twoWay = Math.max(0, readers - doors);
  let no = 0;
  for (let doorNo = 1; doorNo <= doors && no < readers; doorNo++) {
    out.push({ doorNo, inOut: 0, readerNo: ++no });
    if (doorNo <= twoWay) out.push({ doorNo, inOut: 1, readerNo: ++no });
  }
  return out;
}
