import { Body, Get, HttpCode, Inject, Post, Req, Res, SetMetadata } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { FastifyReply } from 'fastify';
import { CvCode, CvError } from '../common/cv-error';
import { ok } from '../common/envelope';
import { clearSessionCookie, setSessionCookie, type ConsoleRequest } from './console-cookie';
import { ConsoleController } from './console-http';
import { PUBLIC_KEY } from './console.guard';
import { Audit, RequireRole } from './console-roles';
import { OperatorService } from './operator.service';
import { verifyPassword } from './password';
import { ConsoleSessionService } from './session.service';
import { newTotpSecret, totpUri, verifyTotp } from './totp';

/** Sign-in, the current session, sign-out, and an operator's own password and second factor. */
@ConsoleController('session')
export class ConsoleSessionController {
  constructor(
    private readonly sessions: ConsoleSessionService,
    private readonly operators: OperatorService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The session as the page sees it, with the server's time zone: every time the API reads or shows is a wall
   * clock in that zone (TIME_ZONE), so the page fills its time fields in it, not in the browser's zone.
   */
  private view<T extends object>(session: T): T & { timeZone: string } {
    return { ...session, timeZone: this.config.timeZone };
  }

  /**
   * Public, but only as JSON: a cross-site HTML form cannot send application/json without a CORS preflight
   * (which the gateway does not grant), so a forged sign-in into the attacker's account is not possible.
   */
  @Post('login')
  @HttpCode(200)
  @SetMetadata(PUBLIC_KEY, true)
  async login(@Req() req: ConsoleRequest, @Res({ passthrough: true }) reply: FastifyReply, @Body() body: Record<string, unknown> | undefined) {
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) throw new CvError(CvCode.InvalidParameter, 'Sign in with a JSON body', 415);
    const result = await this.sessions.login(body?.name, body?.password, body?.code, req.ip);
    if ('totpRequired' in result) return ok({ totpRequired: true }, 'Enter the one-time code from your authenticator app');
    setSessionCookie(req, reply, result.sessionId, result.maxAgeSeconds);
    return ok(this.view(result.session));
  }

  @Get()
  me(@Req() req: ConsoleRequest) {
    return ok(this.view(req.console!));
  }

  @Post('logout')
  @HttpCode(200)
  @RequireRole('viewer')
  @Audit('session.logout')
  async logout(@Req() req: ConsoleRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    await this.sessions.logout(req.consoleSessionId);
    clearSessionCookie(req, reply);
    return ok(null);
  }

  @Post('password')
  @HttpCode(200)
  @RequireRole('viewer')
  @Audit('session.password')
  async password(@Req() req: ConsoleRequest, @Body() body: Record<string, unknown> | undefined) {
    const me = await this.operators.requireById(req.console!.operator.id);
    if (typeof body?.current !== 'string' || !(await verifyPassword(body.current, me.password_hash))) {
      throw new CvError(CvCode.Unauthorized, 'The current password is wrong');
    }
    await this.operators.setPassword(me.id, body?.next);
    await this.sessions.endOtherSessions(me.id, req.consoleSessionId);
    return ok(null);
  }

  @Post('totp/start')
  @HttpCode(200)
  @RequireRole('viewer')
  async totpStart(@Req() req: ConsoleRequest) {
    // A second set-up while one is on would replace the key on the phone with no password asked (whoever finds the
    // session open could take over the second factor): it is turned off first, which asks for the password.
    if ((await this.operators.requireById(req.console!.operator.id)).totp_secret) throw new CvError(CvCode.Conflict, 'The second factor is on already: turn it off first (with your password) to set up a new one');
    const secret = newTotpSecret();
    await this.sessions.offerTotp(req.consoleSessionId, secret);
    return ok({ secret, uri: totpUri(secret, req.console!.operator.name) });
  }

  @Post('totp/confirm')
  @HttpCode(200)
  @RequireRole('viewer')
  @Audit('session.totp.on')
  async totpConfirm(@Req() req: ConsoleRequest, @Body() body: Record<string, unknown> | undefined) {
    const secret = await this.sessions.offeredTotp(req.consoleSessionId);
    if (!secret) throw new CvError(CvCode.InvalidParameter, 'Start the set-up first');
    if (typeof body?.code !== 'string' || !verifyTotp(secret, body.code)) throw new CvError(CvCode.InvalidParameter, 'The one-time code is wrong; check the phone clock');
    await this.operators.setTotpSecret(req.console!.operator.id, secret);
    await this.sessions.clearOfferedTotp(req.consoleSessionId);
    return ok(null);
  }

  @Post('totp/off')
  @HttpCode(200)
  @RequireRole('viewer')
  @Audit('session.totp.off')
  async totpOff(@Req() req: ConsoleRequest, @Body() body: Record<string, unknown> | undefined) {
    const me = await this.operators.requireById(req.console!.operator.id);
    if (typeof body?.password !== 'string' || !(await verifyPassword(body.password, me.password_hash))) throw new CvError(CvCode.Unauthorized, 'The password is wrong');
    await this.operators.setTotpSecret(me.id, null);
    return ok(null);
  }
}
