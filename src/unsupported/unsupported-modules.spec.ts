import { describe, expect, it } from 'vitest';
import { unsupportedModuleOf, unsupportedRoutePaths } from './unsupported-modules';

describe('unsupported modules', () => {
  it.each([
    ['/api/attApply/anything', 'attApply'],
    ['/api/attAreaPerson/x', 'attAreaPerson'],
    ['/api/transaction/listAttTransaction', 'attTransaction'],
    ['/api/device/getAtt', 'attDevice'],
    ['/api/attPerson/editInsPerson', 'faceKiosk'],
    ['/api/attPerson/editAttPerson', 'attPerson'],
    ['/api/attAreaPerson/set', 'attAreaPerson'],
  ])('%s belongs to %s', (path, module) => {
    expect(unsupportedModuleOf(path)?.module).toBe(module);
  });

  it.each(['/api/device/getAcc', '/api/device/getAttendance', '/api/transaction/list', '/api/accLevel/list', '/api/eleLevel/list', '/api/floor/list', '/api/psgdDvice/list', '/api/psgGate/list', '/api/parkAuthorize/addBlackWhite', '/api/adMedia/get/x'])('%s is none of them', (path) => {
    expect(unsupportedModuleOf(path)).toBeUndefined();
  });

  it('routes folders as wildcards and single paths exactly, without the leading slash', () => {
    const paths = unsupportedRoutePaths();
    expect(paths).toContain('api/attApply/*');
    expect(paths).toContain('api/device/getAtt');
    expect(paths.every((p) => !p.startsWith('/'))).toBe(true);
  });
});
