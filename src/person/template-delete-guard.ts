import { HttpStatus } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CvCode, CvError } from '../common/cv-error';

/** A templateNo a request carries, in its query or a JSON or form body, under that name in any case. */
function templateNoOf(req: FastifyRequest): string | undefined {
  const places = [req.query, req.body].filter((p): p is Record<string, unknown> => p !== null && typeof p === 'object' && !Array.isArray(p));
  for (const place of places) {
    for (const [key, value] of Object.entries(place)) {
      if (key.toLowerCase() !== 'templateno') continue;
      const v = Array.isArray(value) ? value.at(-1) : value;
      if ((typeof v === 'string' && v.trim() !== '') || typeof v === 'number') return String(v).trim();
    }
  }
  return undefined;
}

/**
 * A person delete that names a fingerprint is refused, the person kept. A later manual prints the deletion of
 * one template as `person/delete/{pin}{templateNo}` and `v2/person/delete?pin=&templateNo=` (CVSecurity's
 * Swagger has it under bioTemplate); a client following it means to drop one finger, and deleting the person
 * instead would take them off every device. The answer names the forms that delete a template, as
 * bioTemplate/getFgListByPin does for a POST carrying templateNo.
 */
export function refusePersonDeleteNamingTemplate(req: FastifyRequest, pin: string): void {
  const templateNo = templateNoOf(req);
  if (templateNo === undefined) return;
  throw new CvError(
    CvCode.MethodNotAllowed,
    `Nothing deleted: templateNo names a fingerprint, and this call deletes the person ${pin}; to delete templateNo ${templateNo} use POST /api/bioTemplate/delete/${pin}/${templateNo} or POST /api/v2/bioTemplate/delete`,
    HttpStatus.METHOD_NOT_ALLOWED,
  );
}
