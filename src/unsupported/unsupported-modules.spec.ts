import { describe, expect, it } from 'vitest';
import { unsupportedModuleOf, unsupportedRoutePaths } from './unsupported-modules';

describe('unsupported modules', () => {
  it.each([
    ['/api/eleLevel/list', 'eleLevel'],
    ['/api/v2/psgTransaction/device/X1', 'psgTransaction'],
    ['/api/psgdDvice/list', 'psgDevice'],
  ])('%s belongs to %s', (path, module) => {
    expect(unsupportedModuleOf(path)?.module).toBe(module);
  });

  // Attendance and FaceKiosk (issue 12), hep, media and parking are served.
  it.each(['/api/hep/transaction/list', '/api/adMedia/get', '/api/parkAuthorize/addBlackWhite', '/api/transaction/listAttTransaction', '/api/device/getAtt', '/api/attPerson/editInsPerson', '/api/attAreaPerson/set', '/api/attApply/applySign', '/api/device/getAcc', '/api/device/getAttendance', '/api/transaction/list', '/api/accLevel/list', '/api/eleLevelX/list'])('%s is none of them', (path) => {
    expect(unsupportedModuleOf(path)).toBeUndefined();
  });

  it('routes folders as wildcards and single paths exactly, without the leading slash', () => {
    const paths = unsupportedRoutePaths();
    expect(paths).toContain('api/eleLevel/*');
    expect(paths).toContain('api/psgGate/*');
    expect(paths).not.toContain('api/hep/*');
    expect(paths.every((p) => !p.startsWith('/'))).toBe(true);
  });
});
