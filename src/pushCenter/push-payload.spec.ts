import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parsePushCenterConfig, retryDelayMs } from './push-center.config';
import { signBody, toPushBody, type OutboxEvent } from './push-payload';

const event: OutboxEvent = {
  id: 42,
  unique_key: 'CJI2194860001_4521_2022-10-17 17:53:22',
  device_sn: 'CJI2194860001',
  dev_alias: '10.8.14.181',
  log_id: 4521,
  event_time: '2022-10-17T17:53:22+00:00',
  pin: '2210174',
  name: 'Leo',
  last_name: 'Hou',
  dept_code: '1',
  dept_name: 'RD',
  card_no: null,
  door_id: 'a'.repeat(32),
  door_name: '10.8.14.181-1',
  reader_name: '10.8.14.181-1-In',
  reader_state: 0,
  event_no: 0,
  event_name: 'The door opens normally after verification',
  event_level: 0,
  event_point_name: '10.8.14.181-1',
  verify_mode_no: 15,
  verify_mode_name: 'Face',
  area_name: 'Area',
  temperature: null,
};

describe('Push Center payload', () => {
  it('is CVSecurity\'s Event Log message with the event as a JSON string', () => {
    const body = JSON.parse(toPushBody(event));
    expect(body).toEqual({ module: 'acc', dataType: 'text', moduleName: 'Access', content: expect.any(String), pushType: '7', pushTypeName: 'Event Log' });
    expect(JSON.parse(body.content)).toEqual({
      eventTime: Date.UTC(2022, 9, 17, 17, 53, 22),
      pin: '2210174',
      name: 'Leo',
      lastName: 'Hou',
      cardNo: null,
      deptCode: '1',
      deptName: 'RD',
      devSn: 'CJI2194860001',
      devAlias: '10.8.14.181',
      doorId: 'a'.repeat(32),
      doorName: '10.8.14.181-1',
      eventNo: 0,
      eventName: 'The door opens normally after verification',
      eventLevel: 0,
      eventPointName: '10.8.14.181-1',
      readerName: '10.8.14.181-1-In',
      readerState: 0,
      verifyModeNo: 15,
      verifyModeName: 'Face',
      areaName: 'Area',
      logId: 4521,
      temperature: null,
      uniqueKey: 'CJI2194860001_4521_2022-10-17 17:53:22',
    });
  });

  it('signs the exact body with HMAC-SHA256', () => {
    const body = toPushBody(event);
    expect(signBody(body, 'k')).toBe(`sha256=${createHmac('sha256', 'k').update(body).digest('hex')}`);
    expect(signBody(`${body} `, 'k')).not.toBe(signBody(body, 'k'));
  });
});

describe('retry backoff', () => {
  it('doubles from the base and stops at the ceiling', () => {
    const c = { retryBaseMs: 1000, retryMaxMs: 300_000 };
    expect([1, 2, 3, 4, 9, 10, 50].map((n) => retryDelayMs(n, c))).toEqual([1000, 2000, 4000, 8000, 256_000, 300_000, 300_000]);
  });

  it('reads PUSH_CENTER_* and names a bad variable', () => {
    expect(parsePushCenterConfig({})).toEqual({ retryBaseMs: 1000, retryMaxMs: 300_000, pollMs: 1000, timeoutMs: 10_000, keepDeliveredDays: 7 });
    expect(() => parsePushCenterConfig({ PUSH_CENTER_POLL_MS: 'fast' })).toThrow(/PUSH_CENTER_POLL_MS/);
    expect(() => parsePushCenterConfig({ PUSH_CENTER_RETRY_BASE_MS: '5000', PUSH_CENTER_RETRY_MAX_MS: '1000' })).toThrow(/PUSH_CENTER_RETRY_MAX_MS/);
  });

  it('carries a terminal punch with module att, its state as the event name', () => {
    const punch = { id: '42', module: 'att', status: 1, unique_key: 'T1_7_2026-03-01 18:00:00_1', device_sn: 'T1', dev_alias: 'Front terminal', event_time: '2026-03-01T12:30:00+00:00', pin: '7', name: 'Ann', last_name: null, dept_code: '1', dept_name: 'General', card_no: null, verify_mode_no: 15, verify_mode_name: 'Face', area_name: 'HQ' } as unknown as OutboxEvent;
    const body = JSON.parse(toPushBody(punch));
    expect(body).toMatchObject({ module: 'att', moduleName: 'Attendance', pushType: '7' });
    expect(JSON.parse(body.content)).toMatchObject({ pin: '7', devSn: 'T1', eventName: 'Check-Out', eventNo: 1, verifyModeName: 'Face', doorId: null, logId: 42, eventTime: Date.parse('2026-03-01T12:30:00Z') });
  });

  it('carries elevator and channel-controller events with their module and the floor or gate as event point', () => {
    const floor = JSON.parse(toPushBody({ ...event, module: 'ele', door_id: 'f'.repeat(32), door_name: 'EC10-3', event_point_name: 'EC10-3', reader_name: 'others' }));
    expect(floor).toMatchObject({ module: 'ele', moduleName: 'Elevator Control', pushType: '7', pushTypeName: 'Event Log' });
    expect(JSON.parse(floor.content)).toMatchObject({ pin: '2210174', eventPointName: 'EC10-3', eventNo: 0, logId: 4521 });
    const gate = JSON.parse(toPushBody({ ...event, module: 'psg', event_point_name: 'Gate-1' }));
    expect(gate).toMatchObject({ module: 'psg', moduleName: 'Entrance Control' });
    expect(JSON.parse(gate.content)).toMatchObject({ eventPointName: 'Gate-1', readerState: 0 });
  });
});
