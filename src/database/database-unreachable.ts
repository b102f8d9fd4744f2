/**
 * The server of DATABASE_URL could not be used at start: the message says why and what to do, without the
 * password; `code` is the failure's own (ECONNREFUSED, 28P01…).
 *
 * Its own module, free of pg and TypeORM, so main.ts can test for it without loading them: a start refused for
 * its configuration, port or HOST says so before the gateway's heavy modules are loaded (see main.ts).
 */
export class DatabaseUnreachableError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}
