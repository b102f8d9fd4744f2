import { describe, expect, it } from 'vitest';
import { readerLayout } from './reader-layout';

const brief = (gates: number, readers: number) => readerLayout(gates, readers).map((r) => `${r.doorNo}${r.inOut === 0 ? 'in' : 'out'}#${r.readerNo}`);

describe('readerLayout', () => {
  it('twice the gates: every lane both ways, numbered in gate order (2.33: gate 1 has readers 1 in and 2 out)', () => {
    expect(brief(2, 4)).toEqual(['1in#1', '1out#2', '2in#3', '2out#4']);
  });
  it('as many readers as gates: every lane one way, its entry reader numbered as its gate', () => {
    expect(brief(2, 2)).toEqual(['1in#1', '2in#2']);
  });
  it('in between: the first lanes both ways, the rest one way', () => {
    expect(brief(2, 3)).toEqual(['1in#1', '1out#2', '2in#3']);
  });
  it('fewer readers than gates: the first lanes get an entry reader, the others none', () => {
    expect(brief(3, 1)).toEqual(['1in#1']);
  });
  it('no ReaderCount, or more than twice the gates: every lane both ways', () => {
    expect(brief(1, 0)).toEqual(['1in#1', '1out#2']);
    expect(brief(1, 4)).toEqual(['1in#1', '1out#2']);
    expect(brief(0, 4)).toEqual([]);
  });
});
