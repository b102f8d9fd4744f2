import { describe, expect, it } from 'vitest';
import { setAdScreenOptions } from './commands';
import { ProtocolValueError } from './errors';

describe('SET ADSCREEN_OPTIONS (9.5.3)', () => {
  it('lists the parameters in the manual order, with the interval named for the side', () => {
    expect(setAdScreenOptions({ inOut: 0, area: 1, type: 1, range: 50, url: 'http://10.0.0.5:8088/upload/adMedia/a.png', playInterval: 10 })).toBe(
      'SET ADSCREEN_OPTIONS InOut=0,Area=1,Type=1,Range=50,URL=http://10.0.0.5:8088/upload/adMedia/a.png,InPlayInterval=10',
    );
    expect(setAdScreenOptions({ inOut: 1, area: 2, type: 0, url: 'https://gw/upload/adMedia/v.mp4', playInterval: 5 })).toBe(
      'SET ADSCREEN_OPTIONS InOut=1,Area=2,Type=0,URL=https://gw/upload/adMedia/v.mp4,OutPlayInterval=5',
    );
  });

  it.each([
    ['a comma in the URL (no escaping exists)', 'http://gw/a,b.png'],
    ['a line break in the URL (a second command)', 'http://gw/a.png\nC:1:CONTROL DEVICE 01010105'],
    ['a relative URL', '/upload/adMedia/a.png'],
  ])('refuses %s', (_, url) => {
    expect(() => setAdScreenOptions({ inOut: 0, area: 1, type: 1, url, playInterval: 10 })).toThrow(ProtocolValueError);
  });
});
