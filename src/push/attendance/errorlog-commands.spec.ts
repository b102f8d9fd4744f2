import { describe, expect, it } from 'vitest';
import { rawLines } from '../raw-upload';
import { keyedRecordFields } from './protocol/idcard';
import { commandErrors } from './errorlog-commands';

const rows = (body: string) => rawLines('ERRORLOG', body, (line) => keyedRecordFields('ERRORLOG', line));

describe('commandErrors (ERRORLOG 11.16)', () => {
  it('names the commands of DataOrigin=cmd records by CmdId, with the code and its appendix 9 meaning', () => {
    const errors = commandErrors(rows('ERRORLOG ErrCode=D01E0001\tErrMsg=\tDataOrigin=cmd\tCmdId=123\tAdditional=e30=\r\nERRORLOG ErrCode=d01e0004\tErrMsg=tilted\tDataOrigin=CMD\tCmdId=0042\tAdditional=\r\n'));
    expect([...errors]).toEqual([
      ['123', 'ERRORLOG D01E0001: Face detection failed'],
      ['42', 'ERRORLOG d01e0004: Face angle is too big (tilted)'],
    ]);
  });

  it('leaves out DataOrigin=dev records, records without a numeric CmdId or without a code', () => {
    expect(commandErrors(rows('ERRORLOG ErrCode=D01E0001\tErrMsg=\tDataOrigin=dev\tCmdId=123\tAdditional=\n'))).toEqual(new Map());
    expect(commandErrors(rows('ERRORLOG ErrCode=D01E0001\tErrMsg=\tDataOrigin=cmd\tCmdId=\tAdditional=\n'))).toEqual(new Map());
    expect(commandErrors(rows('ERRORLOG ErrCode=D01E0001\tErrMsg=\tDataOrigin=cmd\tCmdId=abc\tAdditional=\n'))).toEqual(new Map());
    expect(commandErrors(rows('ERRORLOG ErrCode=\tErrMsg=\tDataOrigin=cmd\tCmdId=5\tAdditional=\n'))).toEqual(new Map());
  });

  it('leaves out ErrCode=00000000, the appendix 9 "Succeed": a command reported successful is failed by nothing', () => {
    expect(commandErrors(rows('ERRORLOG ErrCode=00000000\tErrMsg=\tDataOrigin=cmd\tCmdId=9\tAdditional=\n'))).toEqual(new Map());
  });

  it('names an unknown code as such', () => {
    expect([...commandErrors(rows('ERRORLOG ErrCode=X99\tErrMsg=\tDataOrigin=cmd\tCmdId=7\tAdditional=\n'))]).toEqual([['7', 'ERRORLOG X99: unknown error code']]);
  });
});
