import { describe, expect, it } from 'vitest';
import { controlDevice, dataDelete, dataQuery, dataUpdateUser, enrollBio, setOption, testHost } from './commands';
import { isRefusal, refusalKey } from './refusals';

describe('refusals', () => {
  it('only the "not supported / no such table" codes are refusals for good', () => {
    expect([-1002, -1004, -629, -708].every(isRefusal)).toBe(true);
    expect([-12, -11, -1, 0, 3, -5000, -13].some(isRefusal)).toBe(false);
    expect(isRefusal(null)).toBe(false);
  });

  it.each([
    [dataUpdateUser({ pin: 1, name: 'A', cardNo: '', privilege: 0 }), 'DATA UPDATE user'],
    ['DATA UPDATE biodata Pin=1\tNo=0\tIndex=0\tValid=1\tDuress=0\tType=9\tMajorVer=58\tMinorVer=0\tFormat=0\tTmp=AAAA', 'DATA UPDATE biodata Type=9'],
    // A panel's biodata is keyed by type, fingerprints too (a panel has no older table to fall back to).
    ['DATA UPDATE biodata Pin=1\tNo=1\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=10\tMinorVer=0\tFormat=0\tTmp=AAAA\nPin=2\tNo=1\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=10\tMinorVer=0\tFormat=0\tTmp=AAAA', 'DATA UPDATE biodata Type=1'],
    ['DATA DELETE biodata Type=9\tPin=1\tNo=0', 'DATA DELETE biodata'],
    [dataDelete('mulcarduser', { Pin: 3 }), 'DATA DELETE mulcarduser'],
    // So is a user or rights table's clear (firmware refusing it may delete by PIN).
    ['DATA DELETE userauthorize *', 'DATA DELETE userauthorize *'],
    ['DATA DELETE user *', 'DATA DELETE user *'],
    ['DATA DELETE usereleauthorize *', 'DATA DELETE usereleauthorize *'],
    [dataDelete('user', { Pin: 3 }), 'DATA DELETE user'],
    ['DATA DELETE userauthorize Pin=3', 'DATA DELETE userauthorize'],
    // A photo table's clear is not its deletes by PIN (firmware refuses the one and takes the other).
    ['DATA DELETE biophoto Type=9', 'DATA DELETE biophoto *'],
    ['DATA DELETE userpic *', 'DATA DELETE userpic *'],
    ['DATA DELETE biophoto PIN=7\tType=9', 'DATA DELETE biophoto'],
    ['DATA DELETE userpic pin=7', 'DATA DELETE userpic'],
    [dataQuery({ table: 'user' }), 'DATA QUERY user'],
    ['DATA COUNT userauthorize', 'DATA COUNT userauthorize'],
    ['DATA UPDATE USERINFO PIN=1\tName=A', 'DATA UPDATE USERINFO'],
    // An attendance terminal's BIODATA of a type no older table carries is its own (a face refused, fingers taken).
    ['DATA UPDATE BIODATA Pin=1\tNo=0\tIndex=0\tValid=1\tDuress=0\tType=9\tMajorVer=5\tMinorVer=0\tFormat=0\tTmp=AAAA', 'DATA UPDATE BIODATA Type=9'],
    ['DATA UPDATE BIODATA Pin=1\tNo=1\tIndex=0\tValid=1\tDuress=0\tType=1\tMajorVer=10\tMinorVer=0\tFormat=0\tTmp=AAAA', 'DATA UPDATE BIODATA'],
    ['DATA UPDATE BIODATA Pin=1\tNo=0\tIndex=0\tValid=1\tDuress=0\tType=2\tMajorVer=12\tMinorVer=0\tFormat=0\tTmp=AAAA', 'DATA UPDATE BIODATA'],
    ['DATA DELETE BIODATA Pin=1\tType=9\tNo=0', 'DATA DELETE BIODATA'],
    [controlDevice([1, 1, 1, 5]), 'CONTROL DEVICE'],
    [setOption('DateTime', 1), 'SET OPTIONS'],
    [enrollBio({ type: 9, no: 0, pin: 1, retry: 3, overwrite: true, mode: 0 }), 'ENROLL_BIO'],
    [testHost('10.0.0.1'), 'Test Host'],
    ['ACCOUNT transaction ContentType=tgz MaxIndex=0', 'ACCOUNT transaction'],
    ['REBOOT', 'REBOOT'],
  ])('%s → %s', (command, key) => {
    expect(refusalKey(command)).toBe(key);
  });
});
