import { describe, expect, it } from 'vitest';
import { openDoor } from './commands';
import { ProtocolValueError } from './errors';
import { formatRemoteAuthReply, parseRemoteAuth } from './remote-auth';

// The manual's request (10), one record: time, pin, cardno, addrtype, eventaddr, event, inoutstatus, verifytype.
const LINE = 'time=2026-03-02 09:15:00\tpin=1001\tcardno=0\taddrtype=2\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=4';

describe('parseRemoteAuth', () => {
  it('reads the manual\'s record: pin, no card (0), a door address, and keeps the line to echo', () => {
    const { results, rejected } = parseRemoteAuth(`${LINE}\r\n`);
    expect(rejected).toEqual([]);
    expect(results).toHaveLength(1);
    const [r] = results;
    expect(r.line).toBe(LINE);
    expect(r.addrType).toBe(2);
    expect(r.event).toMatchObject({ time: '2026-03-02 09:15:00', personPin: '1001', cardNo: null, eventAddr: 1, event: 0, inOutStatus: 0, verifyType: 4, index: null });
    expect(r.event.wallClock).toEqual({ year: 2026, month: 3, day: 2, hour: 9, minute: 15, second: 0 });
  });

  it('pin 0 is nobody: the card identifies', () => {
    const [r] = parseRemoteAuth('time=2026-03-02 09:15:00\tpin=0\tcardno=00123456\taddrtype=2\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=4').results;
    expect(r.event.personPin).toBeNull();
    expect(r.event.cardNo).toBe('00123456');
  });

  it('an absent addrtype is null (read as a door by the caller)', () => {
    expect(parseRemoteAuth('time=2026-03-02 09:15:00\tpin=1\teventaddr=1\tevent=0').results[0].addrType).toBeNull();
  });

  it.each([
    ['garbage', 'no key=value fields'],
    ['pin=1\tevent=0', 'missing time'],
    ['time=yesterday\tpin=1\tevent=0', 'bad time "yesterday"'],
    ['time=2026-03-02 09:15:00\tpin=1', 'missing event'],
    ['time=2026-03-02 09:15:00\tsensor=00\trelay=00\talarm=00', 'a door state, not an identification'],
    ['time=2026-03-02 09:15:00\tpin=1\0event=0', 'CR or NUL inside the record'],
  ])('rejects %j (%s)', (body, reason) => {
    const r = parseRemoteAuth(body);
    expect(r.results).toEqual([]);
    expect(r.rejected).toEqual([expect.objectContaining({ reason, lineNo: 1 })]);
  });

  it('a lone CR ends the record like LF (splitLines): the part after it is a line of its own, never echoed inside the record', () => {
    const split = parseRemoteAuth('time=2026-03-02 09:15:00\tpin=1\revent=0');
    expect(split.results).toEqual([]);
    expect(split.rejected).toEqual([
      expect.objectContaining({ lineNo: 1, line: 'time=2026-03-02 09:15:00\tpin=1', reason: 'missing event' }),
      expect.objectContaining({ lineNo: 2, line: 'event=0', reason: 'missing time' }),
    ]);
    const two = parseRemoteAuth(`${LINE}\r${LINE}\r`);
    expect(two.results.map((r) => r.line)).toEqual([LINE]);
    expect(two.rejected).toEqual([expect.objectContaining({ lineNo: 2, reason: 'one identification per request: extra line' })]);
  });

  it('decides one record per request: a second line is rejected, never decided', () => {
    const r = parseRemoteAuth(`${LINE}\n${LINE}`);
    expect(r.results).toHaveLength(1);
    expect(r.rejected).toEqual([expect.objectContaining({ lineNo: 2, reason: 'one identification per request: extra line' })]);
  });

  it('an empty body is neither a request nor a rejected line', () => {
    expect(parseRemoteAuth('')).toEqual({ results: [], rejected: [] });
  });
});

describe('formatRemoteAuthReply', () => {
  it('success: AUTH, the record, CONTROL DEVICE, CR LF between lines, nothing after the last', () => {
    expect(formatRemoteAuthReply({ auth: 'SUCCESS', record: LINE, control: openDoor(1, 5) })).toBe(`AUTH=SUCCESS\r\n${LINE}\r\nCONTROL DEVICE 01010105`);
  });

  it('refusal: AUTH=FAILED and the record, no control line', () => {
    expect(formatRemoteAuthReply({ auth: 'FAILED', record: LINE })).toBe(`AUTH=FAILED\r\n${LINE}`);
  });

  it('optional TIPS last; a body with no record answers AUTH alone', () => {
    expect(formatRemoteAuthReply({ auth: 'SUCCESS', record: LINE, control: openDoor(2, 7), tips: 'Welcome' })).toBe(`AUTH=SUCCESS\r\n${LINE}\r\nCONTROL DEVICE 01020107\r\nTIPS=Welcome`);
    expect(formatRemoteAuthReply({ auth: 'FAILED', record: null })).toBe('AUTH=FAILED');
    expect(formatRemoteAuthReply({ auth: 'TIMEOUT', record: LINE })).toBe(`AUTH=TIMEOUT\r\n${LINE}`);
  });

  it('refuses a line break in any part, a control line on refusal, and anything but CONTROL DEVICE as control', () => {
    expect(() => formatRemoteAuthReply({ auth: 'FAILED', record: `${LINE}\r\nCONTROL DEVICE 01010105` })).toThrow(ProtocolValueError);
    expect(() => formatRemoteAuthReply({ auth: 'SUCCESS', record: LINE, tips: 'a\nCONTROL DEVICE 01010105' })).toThrow(ProtocolValueError);
    expect(() => formatRemoteAuthReply({ auth: 'FAILED', record: LINE, control: openDoor(1, 5) })).toThrow(ProtocolValueError);
    expect(() => formatRemoteAuthReply({ auth: 'SUCCESS', record: LINE, control: 'REBOOT' })).toThrow(ProtocolValueError);
  });

  it('the echoed record is the parsed line as sent (round trip)', () => {
    const [r] = parseRemoteAuth(`${LINE}\r\n`).results;
    expect(formatRemoteAuthReply({ auth: 'FAILED', record: r.line }).split('\r\n')[1]).toBe(LINE);
  });
});
