import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CvCode, CvError } from '../common/cv-error';

/** Where `npm run build` puts the console's pages: dist/console (from dist/src/console or from src/console under the tests). */
export function consoleWebDir(): string | undefined {
  const candidates = [path.resolve(__dirname, '../../console'), path.resolve(__dirname, '../../dist/console')];
  return candidates.find((d) => fs.existsSync(path.join(d, 'index.html')));
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

/** Only these headers' rules apply to the console's own pages: no framing by other sites, no inline script, nothing from elsewhere. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * The console's built pages, served by the gateway itself (no CDN, works offline): the page shell at
 * /console (every client-side route gets it too) and the hashed assets under /console/assets/.
 */
@ApiExcludeController()
@Controller('console')
export class ConsoleStaticController {
  private readonly dir = consoleWebDir();

  private send(reply: FastifyReply, file: string, cache: string) {
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    return reply.headers({ ...SECURITY_HEADERS, 'content-type': type, 'cache-control': cache }).send(fs.createReadStream(file));
  }

  private shell(reply: FastifyReply) {
    if (!this.dir) throw new CvError(CvCode.NotFound, 'The console is not built: run npm run build', 404);
    return this.send(reply, path.join(this.dir, 'index.html'), 'no-cache');
  }

  @Get()
  index(@Res() reply: FastifyReply) {
    return this.shell(reply);
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() reply: FastifyReply) {
    // Only plain file names: no path separators, no dot-dot.
    if (!this.dir || !/^[\w.-]+$/.test(file) || file.startsWith('.')) throw new CvError(CvCode.NotFound, 'No such console file', 404);
    const full = path.join(this.dir, 'assets', file);
    if (!fs.existsSync(full)) throw new CvError(CvCode.NotFound, 'No such console file', 404);
    return this.send(reply, full, 'public, max-age=31536000, immutable');
  }

  /**
   * Client-side routes load the same shell, a bookmarked or reloaded deep link too (/console/persons/4711,
   * /console/devices/SN?…): the page decides what the rest of the path means, and says so when it names no page.
   * Only the console's API and asset paths stay answers of their own, an unknown one a 404 the caller can read.
   */
  @Get('*')
  page(@Param('*') rest: string | undefined, @Res() reply: FastifyReply) {
    const first = String(rest ?? '').split('/')[0];
    if (first === 'api') throw new CvError(CvCode.NotFound, 'No such console endpoint', 404);
    if (first === 'assets') throw new CvError(CvCode.NotFound, 'No such console file', 404);
    return this.shell(reply);
  }
}

/**
 * The gateway's bare address, as a newcomer types it into a browser (CVSecurity opens its login page there):
 * sent on to the console rather than answered with a JSON 404. Nothing else lives at `/`.
 */
@ApiExcludeController()
@Controller()
export class ConsoleRootController {
  @Get()
  root(@Res() reply: FastifyReply) {
    return reply.redirect('/console', 302);
  }
}
