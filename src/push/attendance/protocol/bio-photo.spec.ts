/**
 * What a terminal says of comparison photos, read from each place real terminals say it (field samples): a poll's INFO
 * function bits, the options push, the INFO command's result.
 */
import { describe, expect, it } from 'vitest';
import { readSpecJson } from '../../protocol/testing/spec-files';
import { parseCommaList, parseLineList } from '../../protocol';
import { bioPhotoWordOfInfo, bioPhotoWordOfOptions, parseAttInfo, takesVisibleFacePhotos } from '.';

interface Sample {
  id: string;
  request: { query: string | null; body: string | null } | null;
}
const { samples } = readSpecJson<{ samples: Sample[] }>('field-samples.json');
const byId = Object.fromEntries(samples.map((s) => [s.id, s]));
const infoOf = (id: string) => parseAttInfo(new URLSearchParams(byId[id].request!.query!).get('INFO'));

describe("a terminal's word on comparison photos", () => {
  it('a V5L on ZAM180 says it only by its INFO bits (11110): a visible-light terminal taking them; its options name neither key', () => {
    const word = bioPhotoWordOfInfo(infoOf('getrequest-info-v5l-zam180'));
    expect(word).toEqual({ fun: '1', visible: true });
    expect(takesVisibleFacePhotos(word)).toBe(true);
    expect(bioPhotoWordOfOptions(parseCommaList(byId['opt-speedface-v5l-zam180'].request!.body!))).toBeNull();
  });

  it('a SenseFace 2A says it in its options (type 9) and in its INFO bits alike', () => {
    const word = bioPhotoWordOfOptions(parseCommaList(byId['opt-senseface2a-zam70-3312'].request!.body!));
    expect(word).toEqual({ types: '0:0:0:0:0:0:0:0:0:1' });
    expect(takesVisibleFacePhotos({ ...bioPhotoWordOfInfo(infoOf('other-zam70-capitalbrix')), ...word })).toBe(true);
  });

  it('the INFO result of a Biopro SA40 names both keys empty: it takes none', () => {
    const body = byId['cmd-info-biopro-sa40'].request!.body!;
    const word = bioPhotoWordOfOptions(parseLineList(body.slice(body.indexOf('\n') + 1)));
    expect(word).toEqual({ fun: '', types: '' });
    expect(takesVisibleFacePhotos(word)).toBe(false);
  });

  it('bit 4 at 0 says it takes none; three bits (the default, no VisilightFun) say nothing', () => {
    expect(bioPhotoWordOfInfo(parseAttInfo('Ver 2.0.12-20150625,0,0,0,192.168.16.27,10,7,15,0,11100'))).toEqual({ fun: '0', visible: true });
    expect(bioPhotoWordOfInfo(parseAttInfo('Ver 2.0.12-20150625,0,0,0,192.168.16.27,10,7,15,0,111'))).toBeNull();
  });

  it('BioPhotoFun=1 takes type 9 only where MultiBioPhotoSupport names it; without that list, only a visible-light terminal', () => {
    expect(takesVisibleFacePhotos({ fun: '1', types: '0:0:1:0:0:0:0:0:0:0' })).toBe(false);
    expect(takesVisibleFacePhotos({ fun: '0', types: '0:0:0:0:0:0:0:0:0:1' })).toBe(false);
    expect(takesVisibleFacePhotos({ fun: '1' })).toBe(false);
    expect(takesVisibleFacePhotos({ fun: '1', visible: true, types: '' })).toBe(false);
    expect(takesVisibleFacePhotos(null)).toBe(false);
  });
});
