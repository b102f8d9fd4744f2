import { describe, expect, it } from 'vitest';
import { csvField } from './console-csv';
import { cellValue, parseCsv, readPersonCsv } from './person-csv';

describe('person CSV', () => {
  it('reads RFC 4180 records: quotes, "" inside, a line break inside a quoted cell, CRLF or LF, a BOM, blank lines', () => {
    expect(parseCsv('\ufeffa,b\r\n"x, y","say ""hi"""\n\n"two\nlines",z\n')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x, y', 'say "hi"'] },
      { line: 4, cells: ['two\nlines', 'z'] },
    ]);
  });

  it('takes ; as the delimiter when the header holds more of them (Excel in a comma-decimal locale)', () => {
    expect(parseCsv('pin;name\r\n1;Ann, B')).toEqual([
      { line: 1, cells: ['pin', 'name'] },
      { line: 2, cells: ['1', 'Ann, B'] },
    ]);
  });

  it('gives back what the export wrote, the formula guard taken off', () => {
    for (const v of ['=1+1', '+49 30', '-5', '@x', "it's", 'a,"b"']) expect(cellValue(parseCsv(csvField(v))[0].cells[0])).toBe(v);
  });

  it("maps CVSecurity's headings and ours, keeps empty cells out, and lists the columns it does not know", () => {
    const r = readPersonCsv('Personnel ID,First Name,Department Number,Gender,Card Number*,Notes\r\n7,Ann,,Female,123,x\r\n');
    expect(r).toEqual({ records: [{ line: 2, fields: { pin: '7', name: 'Ann', gender: 'F', cardNo: '123' } }], ignored: ['Notes'] });
    expect(readPersonCsv('name,card\r\nx,1')).toEqual({ error: 'The first line names no pin column (pin, or CVSecurity\'s "Personnel ID"): name, card' });
  });
});
