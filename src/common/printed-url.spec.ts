import { describe, expect, it } from 'vitest';
import { collapseApiSlashes, fixPrintedQuery, stripSessionId } from './printed-url';

describe('fixPrintedQuery (2.6 print `&access_token=` without `?`)', () => {
  it.each([
    ['/api/adMedia/get/111&access_token=abc', '/api/adMedia/get/111?access_token=abc'],
    ['/api/adMedia/add&access_token=abc&x=1', '/api/adMedia/add?access_token=abc&x=1'],
    ['/api/adMedia/get/a&b&acc_token=abc', '/api/adMedia/get/a?b&acc_token=abc'],
    ['/api/adMedia/get/111?access_token=abc', '/api/adMedia/get/111?access_token=abc'],
    ['/api/person/get/a&b', '/api/person/get/a&b'],
    ['/iclock/cdata&access_token=abc', '/iclock/cdata&access_token=abc'],
  ])('%s → %s', (url, fixed) => {
    expect(fixPrintedQuery(url)).toBe(fixed);
  });
});

describe('collapseApiSlashes', () => {
  it('collapses doubled slashes in an /api path, never in the query, and leaves other paths alone', () => {
    expect(collapseApiSlashes('/api//hep/transaction/monitor?timestamp=1&access_token=x')).toBe('/api/hep/transaction/monitor?timestamp=1&access_token=x');
    expect(collapseApiSlashes('//api/person/get/1')).toBe('/api/person/get/1');
    expect(collapseApiSlashes('/api/transaction/list?personPin=a//b')).toBe('/api/transaction/list?personPin=a//b');
    expect(collapseApiSlashes('/iclock//cdata?SN=1')).toBe('/iclock//cdata?SN=1');
    expect(collapseApiSlashes('/api/person/get/1')).toBe('/api/person/get/1');
  });
});

describe('stripSessionId (servlet URL rewriting)', () => {
  it.each([
    ['/api/accLevel/list;jsessionid=1A2B3C.node1?pageNo=1&access_token=x', '/api/accLevel/list?pageNo=1&access_token=x'],
    ['/api/person/get/12;JSESSIONID=abc', '/api/person/get/12'],
    ['/api/adMedia/get/111;jsessionid=abc&access_token=x', '/api/adMedia/get/111&access_token=x'],
    ['/api/person/get/12?note=;jsessionid=abc', '/api/person/get/12?note=;jsessionid=abc'],
    ['/api/person/get/a;b', '/api/person/get/a;b'],
    ['/iclock/cdata;jsessionid=abc?SN=1', '/iclock/cdata;jsessionid=abc?SN=1'],
  ])('%s → %s', (url, fixed) => {
    expect(stripSessionId(url)).toBe(fixed);
  });
});
