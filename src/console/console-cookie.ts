import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleSessionInfo } from './console-roles';
import { SESSION_COOKIE } from './session.service';

/** The console's own requests: the session the guard found, and the raw session id for logout. */
export type ConsoleRequest = FastifyRequest & { console?: ConsoleSessionInfo; consoleSessionId?: string };

export function cookieOf(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

/** `Secure` whenever the browser reached us over TLS: directly, or through a proxy trusted by TRUST_PROXY (X-Forwarded-Proto). */
function secure(req: FastifyRequest): string {
  return req.protocol === 'https' ? '; Secure' : '';
}

export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, sessionId: string, maxAgeSeconds: number): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=${sessionId}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure(req)}`);
}

export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0${secure(req)}`);
}

