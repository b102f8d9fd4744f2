/**
 * Thrown by command builders when a value would corrupt the wire format.
 * A TAB starts a new field, a CR/LF starts a new record or a new command, and a NUL ends a
 * C string on the firmware side: any of them inside a value lets data rewrite the command.
 */
export class ProtocolValueError extends Error {
  readonly field: string;
  readonly reason: string;
  constructor(field: string, reason: string) {
    super(`push protocol: field "${field}" ${reason}`);
    this.name = 'ProtocolValueError';
    this.field = field;
    this.reason = reason;
  }
}

/** One input line a parser could not use; the caller logs or stores it raw. */
export interface RejectedLine {
  line: string;
  /** 1-based line number within the body. */
  lineNo: number;
  reason: string;
}

/** Every body parser answers with the good records and the bad lines side by side. */
export interface ParseResult<T> {
  results: T[];
  rejected: RejectedLine[];
}
