/**
 * The readers of a channel controller's gates, from its registration's LockCount (gates, one per lane) and
 * ReaderCount (readers). A lane has an entry reader (`in_out` 0) and, when it is walked both ways, an exit reader
 * (1): ReaderCount twice the gates is every lane both ways (the manual's 2.33 example: gate 1's readers 1 in and
 * 2 out); as many readers as gates, every lane one way (entry only); in between, the first lanes both ways and
 * the rest one way; fewer readers than gates, the first lanes get an entry reader and the others none (opened
 * only remotely, by a button or free passage). Readers are numbered in gate order. A ReaderCount that is not
 * given (0) or above twice the gates is read as every lane both ways: the gateway never invents a lane it has
 * no reader count for, and it has no place for a third reader of one direction.
 * Pure: no I/O.
 */
export interface GateReader {
  gate: number;
  inOut: 0 | 1;
  readerNo: number;
}

export function gateReaderLayout(gates: number, readerCount: number): GateReader[] {
  const out: GateReader[] = [];
  if (gates <= 0) return out;
  const readers = readerCount > 0 && readerCount < gates * 2 ? readerCount : gates * 2;
  // Lanes walked both ways: as many as the readers beyond one per lane allow.
  const twoWay = Math.max(0, readers - gates);
  let no = 0;
  for (let gate = 1; gate <= gates && no < readers; gate++) {
    out.push({ gate, inOut: 0, readerNo: ++no });
    if (gate <= twoWay) out.push({ gate, inOut: 1, readerNo: ++no });
  }
  return out;
}
