import { describe, expect, it } from 'vitest';
import { collapseDoubledIclock } from './doubled-iclock';

describe('collapseDoubledIclock', () => {
  it('reads a doubled device prefix as one', () => {
    expect(collapseDoubledIclock('/iclock/iclock/cdata?SN=A&table=rtlog')).toBe('/iclock/cdata?SN=A&table=rtlog');
    expect(collapseDoubledIclock('/iclock/iclock/iclock/getrequest?SN=A')).toBe('/iclock/getrequest?SN=A');
    expect(collapseDoubledIclock('//iclock//iclock/registry?SN=A')).toBe('/iclock/registry?SN=A');
  });
  it('leaves every other path alone', () => {
    for (const u of ['/iclock/cdata?SN=A', '/iclock/iclockx/cdata', '/api/iclock/iclock', '/iclock/cdata?x=/iclock/iclock/']) expect(collapseDoubledIclock(u)).toBe(u);
  });
});
