import { describe, expect, it } from 'vitest';
import { chooseDialect, KvMap, parseCapabilities } from '../push/protocol';
import { deviceAccepts, templateCommands, templateDeleteCommands, type StoredTemplate } from './bio-sync';
import type { SyncDevice } from './device-dialect';

function device(params: Record<string, string>): SyncDevice {
  const kv = new KvMap(Object.entries(params).map(([k, v]) => ({ rawKey: k, key: k, value: v })));
  return { id: 'd'.repeat(32), sn: 'SN1', timeZone: 'UTC', dialect: chooseDialect(parseCapabilities(kv)), photoType: 9 };
}

const modern = device({ PushVersion: 'Ver 3.1.2S-20240809', MultiBioDataSupport: '0:1:0:0:0:0:0:0:0:1', StringPinFunOn: '1', DateFmtFunOn: '1' });
const legacy = device({ PushVersion: 'Ver 2.0.22-20161201', StringPinFunOn: '1' });
const finger = (no: number, extra: Partial<StoredTemplate> = {}): StoredTemplate => ({
  pin: '7', bioType: 1, templateNo: no, templateNoIndex: 0, validType: 1, majorVer: 10, minorVer: 0, format: 0, template: `T${no}`, ...extra,
});

describe('bio-sync dialects', () => {
  it('a registration announcing the hybrid protocol (MultiBioDataSupport) speaks biodata; firmware announcing none templatev10', () => {
    expect(modern.dialect.bio).toBe('biodata');
    expect(legacy.dialect.bio).toBe('templatev10');
  });

  it('biodata: one command per Type, records in slot order, duress as Duress=1; types the device lacks are left out', () => {
    const face = Array.from({ length: 2 }, (_, i) => finger(0, { bioType: 2, templateNoIndex: i, majorVer: 5, minorVer: 8, template: `F${i}` }));
    expect(templateCommands(modern, [finger(5, { validType: 3 }), finger(3), ...face, finger(1, { bioType: 9, majorVer: 58 })])).toEqual([
      'DATA UPDATE biodata Pin=7\tNo=3\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=10\tMinorVer=0\tFormat=0\tTmp=T3\nPin=7\tNo=5\tIndex=0\tValid=1\tDuress=1\tType=1\tMajorVer=10\tMinorVer=0\tFormat=0\tTmp=T5',
      'DATA UPDATE biodata Pin=7\tNo=1\tIndex=0\tValid=1\tDuress=0\tType=9\tMajorVer=58\tMinorVer=0\tFormat=0\tTmp=T1',
    ]);
  });

  it('templatev10: algorithm-10 fingerprints only, one per finger, duress as Valid=3', () => {
    expect(deviceAccepts(legacy, { bioType: 1, majorVer: 12 })).toBe(false);
    expect(templateCommands(legacy, [finger(2, { validType: 3 }), finger(2, { templateNoIndex: 1 }), finger(4, { majorVer: 12 }), finger(0, { bioType: 2 })])).toEqual([
      'DATA UPDATE templatev10 Pin=7\tFingerID=2\tValid=3\tTemplate=T2',
    ]);
  });

  it('deletes: Type+Pin+No on biodata (documented form, 9.1.2), Pin+FingerID or Pin on templatev10', () => {
    const slots = [{ bioType: 1, templateNo: 3 }, { bioType: 2, templateNo: 0 }, { bioType: 1, templateNo: 3 }];
    expect(templateDeleteCommands(modern, '7', slots)).toEqual(['DATA DELETE biodata Type=1\tPin=7\tNo=3']);
    expect(templateDeleteCommands(legacy, '7', slots)).toEqual(['DATA DELETE templatev10 Pin=7\tFingerID=3']);
    expect(templateDeleteCommands(legacy, '7', [], true)).toEqual(['DATA DELETE templatev10 Pin=7']);
  });
});
