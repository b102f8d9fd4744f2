import { describe, expect, it } from 'vitest';
import { transactionRecordToEvent } from './rtlog';

describe('transactionRecordToEvent (9.1.4 transaction records as the events they record)', () => {
  it("reads the manual's record: time_second (Appendix 6), door, event, in/out and verify mode under their rtlog names", () => {
    const e = transactionRecordToEvent({ cardno: '0', pin: '0', verified: '200', doorid: '1', eventtype: '100', inoutstate: '2', time_second: '548003688', index: '92', sitecode: '0', devid: '1', sn: '3383154200002' });
    expect(e).toMatchObject({ kind: 'event', time: '2017-01-19 15:14:48', personPin: null, cardNo: null, eventAddr: 1, event: 100, inOutStatus: 2, verifyType: 200, index: 92 });
  });
  it('takes a time= field, a bracketed card and the screening fields; refuses a record without a time', () => {
    expect(transactionRecordToEvent({ time: '2024-05-02 08:06:07', pin: '57', cardno: '[15CD5B07]', eventtype: '0', doorid: '2', maskflag: '1', temperature: '36.5' })).toMatchObject({
      time: '2024-05-02 08:06:07',
      personPin: '57',
      cardNo: '123456789',
      eventAddr: 2,
      maskFlag: 1,
      temperature: 36.5,
    });
    expect(transactionRecordToEvent({ pin: '1', eventtype: '0' })).toBe('missing time_second');
    expect(transactionRecordToEvent({ pin: '1', eventtype: '0', time_second: 'x' })).toBe('bad time_second "x"');
  });
});
