import { describe, expect, it } from 'vitest';
import { sameFirmware } from './attendance/attendance-terminal.service';
import { decodeDeviceBody, deviceBodyText, deviceReply, isUtf8Text, type LegacyText } from './device-body';
import { rawLines } from './raw-upload';

const GBK_ZHANG_SAN = Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]); // 张三 in GB2312
const withName = (name: Buffer) => Buffer.concat([Buffer.from('USER PIN=5003\tName='), name]);

describe('deviceBodyText', () => {
  it.each([
    ['valid UTF-8 under charset=UTF-8', Buffer.from('Name=张三'), 'application/push;charset=UTF-8', false, 'Name=张三'],
    ['valid UTF-8 without a content type', Buffer.from('Name=李四'), undefined, false, 'Name=李四'],
    ['valid UTF-8 from a Chinese terminal', Buffer.from('Name=李四'), 'application/push;charset=UTF-8', true, 'Name=李四'],
    ['GBK without a content type', withName(GBK_ZHANG_SAN), undefined, false, 'USER PIN=5003\tName=张三'],
    ['GBK under a type without a charset', withName(GBK_ZHANG_SAN), 'text/plain', false, 'USER PIN=5003\tName=张三'],
    ['GBK under charset=UTF-8 from a terminal set to language=83', withName(GBK_ZHANG_SAN), 'application/push;charset=UTF-8', true, 'USER PIN=5003\tName=张三'],
    ['declared GB2312', withName(GBK_ZHANG_SAN), 'text/plain; charset="gb2312"', false, 'USER PIN=5003\tName=张三'],
    ['declared GBK, kept when a JSON type is read as an octet stream (bootstrap.ts)', withName(GBK_ZHANG_SAN), 'application/octet-stream;charset=gbk', false, 'USER PIN=5003\tName=张三'],
    ['valid GBK under charset=UTF-8 from a terminal not set to Chinese (older firmware)', withName(GBK_ZHANG_SAN), 'application/push;charset=UTF-8', false, 'USER PIN=5003\tName=张三'],
    ['Latin-1 under charset=UTF-8 (older firmware set to English): windows-1252, not replacement characters', withName(Buffer.from([0x4a, 0x6f, 0x73, 0xe9])), 'application/push;charset=UTF-8', false, 'USER PIN=5003\tName=José'],
    ['Latin-1 whose bytes would pass for a GBK pair (Müller: FC 6C) is not read as GBK', withName(Buffer.from([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72])), 'application/push;charset=UTF-8', null, 'USER PIN=5003\tName=Müller'],
    ['a GBK name cut mid-character by the name field (a lone lead before the TAB): GBK less the half', Buffer.concat([withName(Buffer.from([0xd5, 0xc5, 0xc8])), Buffer.from('\tPri=0')]), 'application/push;charset=UTF-8', false, 'USER PIN=5003\tName=张\tPri=0'],
    ['so, from a terminal set to Chinese, the half at a line end too', Buffer.concat([withName(Buffer.from([0xd5, 0xc5, 0xc8])), Buffer.from('\n'), withName(Buffer.from([0xd5, 0xc5, 0xc8]))]), 'application/push;charset=UTF-8', true, 'USER PIN=5003\tName=张\nUSER PIN=5003\tName=张'],
    ['a lone accented letter before a TAB, with no GBK pair, is Latin-1', Buffer.concat([withName(Buffer.from([0x5a, 0x6f, 0xeb])), Buffer.from('\tPri=0')]), 'application/push;charset=UTF-8', false, 'USER PIN=5003\tName=Zoë\tPri=0'],
    ['windows-1252 without a content type', withName(Buffer.from([0x48, 0xe9, 0x6c, 0xe8, 0x6e, 0x65])), undefined, 'windows-1252', 'USER PIN=5003\tName=Hélène'],
    ['Cyrillic from a terminal set to Russian (82): windows-1251, even where the bytes pair up as GBK', withName(Buffer.from([0xc8, 0xe2, 0xe0, 0xed])), 'application/push;charset=UTF-8', 'windows-1251', 'USER PIN=5003\tName=Иван'],
    ['Polish from a terminal set to Polish (112): windows-1250', withName(Buffer.from([0xa3, 0xf3, 0x64, 0x9f])), 'application/push;charset=UTF-8', 'windows-1250', 'USER PIN=5003\tName=Łódź'],
    [
      'a UTF-8 line and a GBK line in one body: each read in its own encoding',
      Buffer.concat([withName(GBK_ZHANG_SAN), Buffer.from('\r\nUSER PIN=5004\tName=李四\n')]),
      'application/push;charset=UTF-8',
      false,
      'USER PIN=5003\tName=张三\r\nUSER PIN=5004\tName=李四\n',
    ],
    ['the same mixed body without a content type', Buffer.concat([withName(GBK_ZHANG_SAN), Buffer.from('\nUSER PIN=5004\tName=李四')]), undefined, false, 'USER PIN=5003\tName=张三\nUSER PIN=5004\tName=李四'],
    ['an unknown charset label is read as if none were declared (here: UTF-8)', Buffer.from('a=é'), 'text/plain;charset=x-nonsense', false, 'a=é'],
    [
      'a GBK line and a UTF-8 line ended by a lone CR: each read in its own encoding, the CR kept',
      Buffer.concat([withName(GBK_ZHANG_SAN), Buffer.from('\rUSER PIN=5004\tName=李四\r')]),
      'application/push;charset=UTF-8',
      false,
      'USER PIN=5003\tName=张三\rUSER PIN=5004\tName=李四\r',
    ],
    ['an empty body', Buffer.alloc(0), 'application/json', false, ''],
  ])('%s', (_name, raw, type, chinese, text) => {
    expect(deviceBodyText(raw, type, chinese as LegacyText | boolean | null)).toBe(text);
  });

  it('says which code page it read a line in, and none for UTF-8 and GBK', () => {
    expect(decodeDeviceBody(withName(Buffer.from([0x4a, 0x6f, 0x73, 0xe9])), 'application/push;charset=UTF-8').codePage).toBe('windows-1252');
    expect(decodeDeviceBody(withName(GBK_ZHANG_SAN), 'application/push;charset=UTF-8').codePage).toBeNull();
    expect(decodeDeviceBody(Buffer.from('USER PIN=1\tName=José'), 'application/push;charset=UTF-8').codePage).toBeNull();
  });

  it('reads a UTF-8 name the terminal cut mid-character at its name field as UTF-8 less the half, learning no code page', () => {
    const cutAfter = (name: string, bytes: number) => Buffer.concat([Buffer.from('USER PIN=1\tName='), Buffer.from(name, 'utf8').subarray(0, bytes), Buffer.from('\tPri=0\n')]);
    // 23 bytes of 'Abcdefghijklmnopqrstuvwé' and 22 of 'Müller Abcdefghijklmé': the first byte of é alone at the end.
    const plain = decodeDeviceBody(cutAfter('Abcdefghijklmnopqrstuvwé', 24), 'application/push;charset=UTF-8');
    expect(plain).toEqual({ text: 'USER PIN=1\tName=Abcdefghijklmnopqrstuvw\tPri=0\n', codePage: null });
    const accented = decodeDeviceBody(cutAfter('Müller Abcdefghijklmé', 22), 'application/push;charset=UTF-8');
    expect(accented).toEqual({ text: 'USER PIN=1\tName=Müller Abcdefghijklm\tPri=0\n', codePage: null });
    // A short Latin-1 name ending in an accented letter is still Latin-1 (Zoë), and a terminal known to write
    // windows-1252 is read so.
    expect(decodeDeviceBody(withName(Buffer.from([0x5a, 0x6f, 0xeb])), 'application/push;charset=UTF-8').codePage).toBe('windows-1252');
    expect(decodeDeviceBody(cutAfter('Abcdefghijklmnopqrstuvwé', 24), 'application/push;charset=UTF-8', 'windows-1252').text).toContain('Name=AbcdefghijklmnopqrstuvwÃ\t');
  });

  it('drops a UTF-8 byte order mark before the first record, in a UTF-8 body and in one read line by line', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect(deviceBodyText(Buffer.concat([bom, Buffer.from('USER PIN=1\tName=José\n')]), 'application/push;charset=UTF-8')).toBe('USER PIN=1\tName=José\n');
    expect(decodeDeviceBody(Buffer.concat([bom, Buffer.from('USER PIN=1\tName=Jos'), Buffer.from([0xe9, 0x0a])]), 'application/push;charset=UTF-8')).toEqual({ text: 'USER PIN=1\tName=José\n', codePage: 'windows-1252' });
    expect(deviceBodyText(bom, undefined)).toBe('');
  });
});

describe('deviceReply', () => {
  it('answers a terminal whose text is a code page in that page, and says so', () => {
    const r = deviceReply('DATA UPDATE USERINFO PIN=1\tName=José Müller €', 'windows-1252');
    expect(r.contentType).toBe('text/plain;charset=windows-1252');
    expect(Buffer.from(r.payload).toString('latin1')).toBe('DATA UPDATE USERINFO PIN=1\tName=Jos\xe9 M\xfcller \x80');
    // A character the page lacks is `?`, one per code point.
    expect(Buffer.from(deviceReply('Name=张😀', 'windows-1252').payload).toString('latin1')).toBe('Name=??');
    expect(deviceReply('Name=José', null)).toEqual({ contentType: 'text/plain;charset=UTF-8', payload: 'Name=José' });
  });
});

describe('rawLines', () => {
  it('keeps every non-blank line, LF or CRLF, without NULs', () => {
    expect(rawLines('ERRORLOG', 'ERRORLOG ErrCode=1\r\n\r\nERRORLOG ErrCode=2\0\n  \n')).toEqual([
      { table: 'ERRORLOG', fields: { line: 'ERRORLOG ErrCode=1' } },
      { table: 'ERRORLOG', fields: { line: 'ERRORLOG ErrCode=2' } },
    ]);
  });

  it('a lone CR ends a line too', () => {
    expect(rawLines('ERRORLOG', 'ERRORLOG ErrCode=1\rERRORLOG ErrCode=2\r\r\nERRORLOG ErrCode=3\r')).toEqual([
      { table: 'ERRORLOG', fields: { line: 'ERRORLOG ErrCode=1' } },
      { table: 'ERRORLOG', fields: { line: 'ERRORLOG ErrCode=2' } },
      { table: 'ERRORLOG', fields: { line: 'ERRORLOG ErrCode=3' } },
    ]);
  });
});

describe('a terminal upgraded to UTF-8', () => {
  it('isUtf8Text: UTF-8 beyond ASCII only, never a code page\'s bytes nor plain ASCII', () => {
    expect(isUtf8Text(Buffer.from('USER PIN=1\tName=Zoë', 'utf8'))).toBe(true);
    expect(isUtf8Text(Buffer.from('USER PIN=1\tName=Jos\xe9', 'latin1'))).toBe(false);
    expect(isUtf8Text(Buffer.from('USER PIN=1\tName=Ada', 'utf8'))).toBe(false);
  });

  it('sameFirmware: one firmware spelt with or without Ver is the same, another version is not', () => {
    expect(sameFirmware('ZAM180-NF50VA-Ver3.4.9', 'ZAM180-NF50VA-3.4.9')).toBe(true);
    expect(sameFirmware('Ver 8.0.4.3-20220708', 'ver 8.0.4.3-20220708')).toBe(true);
    expect(sameFirmware('ZAM230-NF50VA-1.1.9-OCM-4000-Ver1.0.1', 'ZAM230-NF50VA-Ver1.1.9')).toBe(true);
    expect(sameFirmware('Ver 6.60 May 19 2023', 'Ver 8.0.4.3-20230515')).toBe(false);
    expect(sameFirmware('ZAM70-NF24HA-Ver3.0.15', 'ZAM70-NF24HA-Ver3.3.12')).toBe(false);
  });
});
