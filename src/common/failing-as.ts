import { Logger } from '@nestjs/common';
import { CvError } from './cv-error';
import { manualMessage } from './cv-messages';
import { mapError } from './exception.filter';

const logger = new Logger('Error');

/**
 * Runs a level write and answers a failure no other code names with the manual's code for that write failing:
 * -40 "Authorize access failure" for a grant (accLevel/syncPerson, addLevelPerson and their elevator and
 * entrance-control twins), -41 "Delete access level failure" for a removal (deleteLevel), as CVSecurity answers
 * when its grant or removal throws. Such a failure (the database refusing the write for a reason the gateway does
 * not expect, a bug) was answered -1 "Program error" with HTTP 500; it is logged with its stack as before, and the
 * client reads the write's own code, HTTP 200 as every CVSecurity failure. A failure with an answer of its own
 * keeps it: a domain error (-22, -24, -42, ...), the database away (-503, worth retrying), a conflict (-409).
 */
export async function failingAs<T>(code: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (mapError(err) !== undefined) throw err;
    const message = manualMessage(code) ?? 'Program error';
    logger.error(`${message} (${code}): ${(err as Error)?.stack ?? String(err)}`);
    throw new CvError(code, message);
  }
}
