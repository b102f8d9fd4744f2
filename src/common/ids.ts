import { randomBytes } from 'node:crypto';

/** CVSecurity-style entity id: 32 lowercase hex characters. */
export function newId(): string {
  return randomBytes(16).toString('hex');
}
