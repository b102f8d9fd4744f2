import { describe, expect, it } from 'vitest';
import { boardReplacement, dialectOf, oldDialectCleanup, registrationStorageChanges, storesDifferently } from './device-dialect';

const registrationStoresDifferently = (a: unknown, b: unknown) => registrationStorageChanges(a, b).length > 0;

/** A registration as device.registration stores it (raw keys, `~` kept), as a SenseFace-era panel sends it. */
const panel: Record<string, string> = {
  DeviceType: 'acc',
  '~DeviceName': 'SF2A',
  FirmVer: 'Ver 8.0.4.2-20240809',
  PushVersion: 'Ver 3.1.2S-20240809',
  IPAddress: '192.168.1.201',
  MAC: '00:17:61:12:34:56',
  '~SerialNumber': 'SN1',
  TransInterval: '2',
  LockCount: '4',
  DateFmtFunOn: '1',
  MulCardUserFunOn: '0',
  StringPinFunOn: '1',
  FingerFunOn: '1',
  FaceFunOn: '1',
  BioPhotoFun: '1',
  BioDataFun: '1',
  MultiBioDataSupport: '0:1:1:0:0:0:0:0:0:1',
  MultiBioPhotoSupport: '0:0:0:0:0:0:0:0:0:1',
  AccSupportFunList: '0101010000111000000111010100011010',
  CmdFormat: '0',
  MaxPackageSize: '2048000',
};

const changed = (over: Record<string, string | undefined>) => {
  const out: Record<string, string> = { ...panel };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
};

describe('storesDifferently: a re-registration that changes how the panel stores records', () => {
  it('the same registration stores alike', () => {
    expect(registrationStoresDifferently(panel, { ...panel })).toBe(false);
  });

  it.each<[string, Record<string, string | undefined>]>([
    ['another IP address and MAC', { IPAddress: '10.0.0.9', MAC: '00:17:61:aa:bb:cc' }],
    ['another firmware version string', { FirmVer: 'Ver 8.0.4.3-20250101' }],
    ['another push interval', { TransInterval: '30' }],
    ['another PushVersion in the same biodata era', { PushVersion: 'Ver 3.1.3S-20250101' }],
    ['another device name', { '~DeviceName': 'Front door' }],
    ['commands wrapped (CmdFormat=1): transport only', { CmdFormat: '1' }],
    ['another MaxPackageSize: transport only', { MaxPackageSize: '1024000' }],
    ['the same flag spelled with `~`', { MulCardUserFunOn: undefined, '~MulCardUserFunOn': '0' }],
    ['the same types listed with a trailing 0', { MultiBioDataSupport: '0:1:1:0:0:0:0:0:0:1:0' }],
  ])('%s: no', (_, over) => {
    expect(registrationStoresDifferently(panel, changed(over))).toBe(false);
  });

  it.each<[string, Record<string, string | undefined>]>([
    ['multi-card turned on (cards move to mulcarduser)', { MulCardUserFunOn: '1' }],
    ['multi-card turned on, spelled with `~`', { MulCardUserFunOn: undefined, '~MulCardUserFunOn': '1' }],
    ['DateFmtFunOn turned off (validity as YYYYMMDD)', { DateFmtFunOn: '0' }],
    ['StringPinFunOn turned off (numeric pins only)', { StringPinFunOn: '0' }],
    ['templates back in templatev10 (no biodata)', { BioDataFun: '0', MultiBioDataSupport: '0:0:0:0:0:0:0:0:0:0' }],
    ['older firmware without the hybrid protocol', { PushVersion: 'Ver 2.0.22-20161201', BioDataFun: undefined, MultiBioDataSupport: undefined }],
    ['another template type accepted', { MultiBioDataSupport: '0:1:0:0:0:0:0:0:0:1' }],
    ['photos in userpic instead of biophoto', { BioPhotoFun: '0', MultiBioPhotoSupport: '0:0:0:0:0:0:0:0:0:0', PhotoFunOn: '1' }],
    ['biophoto of another type (near-infrared face)', { MultiBioPhotoSupport: '0:0:1:0:0:0:0:0:0:0' }],
    ['DevID column (AccSupportFunList 26)', { AccSupportFunList: '0101010000111000000111010110011010' }],
    ['userauthorize validity columns (AccSupportFunList 62)', { AccSupportFunList: `${'0101010000111000000111010100011010'.padEnd(62, '0')}1` }],
  ])('%s: yes', (_, over) => {
    expect(registrationStoresDifferently(panel, changed(over))).toBe(true);
  });

  it('names what changed, for the operator', () => {
    expect(registrationStorageChanges(panel, changed({ MulCardUserFunOn: '1', DateFmtFunOn: '0', IPAddress: '10.0.0.9' }))).toEqual([
      'dateFormat: seconds → yyyymmdd',
      'cards: user → mulcarduser',
    ]);
  });

  it('compares dialects as dialectOf gives them: a photo type matters only where photos go to biophoto', () => {
    const userpic = changed({ BioPhotoFun: '0', MultiBioPhotoSupport: undefined, PhotoFunOn: '1' });
    const a = dialectOf(null, userpic);
    expect(a.dialect.photo).toBe('userpic');
    expect(storesDifferently(a, { ...a, photoType: 2 })).toBe(false);
    const b = dialectOf(null, panel);
    expect(storesDifferently(b, { ...b, photoType: 2 })).toBe(true);
  });

  it('judges a raw comma-separated body like the stored object', () => {
    const body = Object.entries(panel).map(([k, v]) => `${k}=${v}`).join(',');
    expect(registrationStoresDifferently(body, panel)).toBe(false);
    expect(registrationStoresDifferently(body, changed({ DateFmtFunOn: '0' }))).toBe(true);
  });
});

describe('oldDialectCleanup: what the old dialect\'s tables hold is deleted as the old dialect deletes it', () => {
  const modern = dialectOf(null, panel);
  const legacy = dialectOf(null, changed({ PushVersion: 'Ver 2.2.0-20180101', BioDataFun: '0', BioPhotoFun: '0', MultiBioDataSupport: undefined, MultiBioPhotoSupport: undefined, PhotoFunOn: '1' }));
  const held = [
    { kind: 'bio' as const, pin: '7', failing: false },
    { kind: 'photo' as const, pin: '7', failing: false },
    { kind: 'bio' as const, pin: '8', failing: true },
  ];

  it('templatev10 and userpic after an upgrade: templatev10 whole, userpic per pin held', () => {
    expect(legacy.dialect).toMatchObject({ bio: 'templatev10', photo: 'userpic' });
    expect(oldDialectCleanup(legacy, modern, held)).toEqual(['DATA DELETE templatev10 *', 'DATA DELETE userpic pin=7']);
  });

  it('biodata and biophoto after a downgrade: per pin, biophoto by its old Type', () => {
    expect(oldDialectCleanup(modern, legacy, held)).toEqual(['DATA DELETE biodata Pin=7', 'DATA DELETE biodata Pin=8', 'DATA DELETE biophoto PIN=7\tType=9']);
  });

  it('cards moved out of mulcarduser: mulcarduser whole; a table both dialects use: only the pins whose change waits for its retry', () => {
    const multi = dialectOf(null, changed({ MulCardUserFunOn: '1' }));
    expect(oldDialectCleanup(multi, modern, held)).toEqual(['DATA DELETE biodata Pin=8', 'DATA DELETE mulcarduser *']);
    expect(oldDialectCleanup(modern, multi, held)).toEqual(['DATA DELETE biodata Pin=8']);
  });
});

describe('boardReplacement', () => {
  const reg = (mac?: string) => `~DeviceName=inBio460,FirmVer=AC Ver 5.7.8.3033,PushVersion=3.1.2${mac === undefined ? '' : `,MAC=${mac}`}`;
  it('tells another board by its MAC, whatever the separators and case', () => {
    expect(boardReplacement(reg('00:17:61:11:ad:4f'), reg('00:17:61:22:00:01'))).toBe('MAC 00:17:61:11:ad:4f -> 00:17:61:22:00:01');
    expect(boardReplacement(reg('00:17:61:11:ad:4f'), reg('00-17-61-11-AD-4F'))).toBeNull();
    expect(boardReplacement(reg(), reg('00:17:61:22:00:01'))).toBeNull();
    expect(boardReplacement(reg('00:00:00:00:00:00'), reg('00:17:61:22:00:01'))).toBeNull();
  });
});

describe('function switches (FingerFunOn, FaceFunOn, FvFunOn, PvFunOn): which template types a panel holds', () => {
  const types = (over: Record<string, string | undefined>) => {
    const { dialect } = dialectOf(null, changed(over));
    return { bio: dialect.bio, bioTypes: dialect.bioTypes, bioOff: dialect.bioOff };
  };

  it('a switch at 0 takes its types away from those MultiBioDataSupport announces; the face switch both faces', () => {
    expect(types({ FingerFunOn: '0' })).toEqual({ bio: 'biodata', bioTypes: [2, 9], bioOff: [1] });
    expect(types({ FaceFunOn: '0' })).toEqual({ bio: 'biodata', bioTypes: [1], bioOff: [2, 9] });
    expect(types({ MultiBioDataSupport: '0:0:0:0:0:0:0:1:1:0:1', PvFunOn: '0', FvFunOn: '0' })).toEqual({ bio: 'biodata', bioTypes: [], bioOff: [7, 8, 10] });
    // BioDataFun alone (visible-light faces) with the face function off: nothing.
    expect(types({ MultiBioDataSupport: undefined, FaceFunOn: '0' })).toEqual({ bio: 'biodata', bioTypes: [], bioOff: [2, 9] });
    // templatev10 (old firmware) keeps its table; bioOff says it keeps no fingerprint.
    expect(types({ PushVersion: 'Ver 2.0.22-20161201', BioDataFun: undefined, MultiBioDataSupport: undefined, FingerFunOn: '0' })).toEqual({ bio: 'templatev10', bioTypes: [], bioOff: [1] });
  });

  it('a switch at 1 adds no type the table does not announce; none reported (or empty) keeps the old default', () => {
    // A BioFace A1 as field samples show it: FingerFunOn=1, MultiBioDataSupport of palm vein and visible face only.
    expect(types({ MultiBioDataSupport: '0:0:0:0:0:0:0:0:1:1' })).toEqual({ bio: 'biodata', bioTypes: [8, 9], bioOff: [] });
    expect(types({ FingerFunOn: undefined, FaceFunOn: undefined })).toEqual({ bio: 'biodata', bioTypes: [1, 2, 9], bioOff: [] });
    expect(types({ FingerFunOn: '', FaceFunOn: '' })).toEqual({ bio: 'biodata', bioTypes: [1, 2, 9], bioOff: [] });
  });

  it('turning a function on or off changes how the panel stores templates; a dialect stored before bioOff was read is none off', () => {
    expect(registrationStorageChanges(panel, changed({ FingerFunOn: '0' }))).toEqual(['bioTypes: 1,2,9 → 2,9', 'bioOff:  → 1']);
    expect(registrationStoresDifferently(changed({ PushVersion: 'Ver 2.0.22-20161201', FingerFunOn: '0' }), changed({ PushVersion: 'Ver 2.0.22-20161201' }))).toBe(true);
    const now = dialectOf(null, panel);
    const { bioOff: _, ...old } = now.dialect;
    expect(storesDifferently({ ...now, dialect: old }, now)).toBe(false);
  });
});
