import { describe, expect, it } from 'vitest';
import { bodyValueOf, RouteForms, type Route } from './route-forms';

const route = (method: string, path: string, pathForms: string[] = []): Route => ({ method, segments: path.split('/').filter(Boolean), pathForms });

const forms = new RouteForms([
  route('GET', '/api/person/get/:pin'),
  route('GET', '/api/v2/person/get', ['pin']),
  route('DELETE', '/api/bioTemplate/delete/:pin/:templateNo'),
  route('GET', '/api/gateway/timeSegments'),
  route('GET', '/api/gateway/timeSegments/:id'),
  route('GET', '/api/transaction/device/:deviceSn'),
  route('GET', '/api/attAreaPerson/*'),
  route('GET', '/api/attAreaPerson/area/get/:code'),
  route('POST', '/api/v2/bioTemplate/delete', ['pin', 'templateNo']),
  route('POST', '/api/person/getQrCode/:pin'),
]);

describe('route forms', () => {
  it('names the methods served at a path form of a route (GET on a POST route\'s trailing-segment form is -405, not -404)', () => {
    expect(forms.methodsAt('/api/v2/bioTemplate/delete/1/3?access_token=x')).toEqual(['POST']);
    expect(forms.methodsAt('/api/v2/bioTemplate/delete/1')).toEqual(['POST']);
    expect(forms.methodsAt('/api/v2/bioTemplate/delete/1/3/4')).toEqual([]);
    expect(forms.methodsAt('/api/person/getQrCode')).toEqual(['POST']);
  });

  it('leaves every URL a route matches as sent', () => {
    expect(forms.rewrite('GET', '/api/person/get/1?access_token=x')).toBe('/api/person/get/1?access_token=x');
    expect(forms.rewrite('GET', '/api/v2/person/get?pin=1')).toBe('/api/v2/person/get?pin=1');
    expect(forms.rewrite('GET', '/api/gateway/timeSegments?id=1')).toBe('/api/gateway/timeSegments?id=1');
  });

  it('takes trailing path parameters from the query, under their names or a synonym', () => {
    expect(forms.rewrite('GET', '/api/person/get?pin=1&access_token=x')).toBe('/api/person/get/1?pin=1&access_token=x');
    expect(forms.rewrite('GET', '/api/person/get?personPin=a%2Fb')).toBe('/api/person/get/a%2Fb?personPin=a%2Fb');
    expect(forms.rewrite('DELETE', '/api/bioTemplate/delete?pin=1&templateNo=3')).toBe('/api/bioTemplate/delete/1/3?pin=1&templateNo=3');
    expect(forms.rewrite('DELETE', '/api/bioTemplate/delete/1?templateNo=3')).toBe('/api/bioTemplate/delete/1/3?templateNo=3');
    expect(forms.rewrite('GET', '/api/transaction/device?sn=S1&pageNo=1')).toBe('/api/transaction/device/S1?sn=S1&pageNo=1');
    // A served route wins over a catch-all of the unsupported modules.
    expect(forms.rewrite('GET', '/api/attAreaPerson/area/get?code=1')).toBe('/api/attAreaPerson/area/get/1?code=1');
  });

  it('takes trailing path segments as the query parameters a route names', () => {
    expect(forms.rewrite('GET', '/api/v2/person/get/1?access_token=x')).toBe('/api/v2/person/get?access_token=x&pin=1');
    expect(forms.rewrite('POST', '/api/v2/bioTemplate/delete/1/3')).toBe('/api/v2/bioTemplate/delete?pin=1&templateNo=3');
    expect(forms.rewrite('POST', '/api/v2/bioTemplate/delete/1/3/4')).toBe('/api/v2/bioTemplate/delete/1/3/4');
  });

  it('leaves the trailing path parameters the query lacks to the body, for a method that carries one', () => {
    expect(forms.resolve('POST', '/api/person/getQrCode?access_token=x')).toEqual({ url: '/api/person/getQrCode/%7Bpin%7D?access_token=x', fromBody: ['pin'] });
    expect(forms.resolve('DELETE', '/api/bioTemplate/delete?templateNo=3')).toEqual({ url: '/api/bioTemplate/delete/%7Bpin%7D/3?templateNo=3', fromBody: ['pin'] });
    expect(forms.resolve('POST', '/api/person/getQrCode?pin=1')).toEqual({ url: '/api/person/getQrCode/1?pin=1' });
    expect(forms.resolve('POST', '/api/person/getQrCode/%7Bpin%7D')).toEqual({ url: '/api/person/getQrCode/%7Bpin%7D' });
    expect(forms.resolve('GET', '/api/person/get')).toEqual({ url: '/api/person/get' });
  });

  it('reads a path parameter from the body: bare or wrapped, under its name or a synonym', () => {
    expect(bodyValueOf({ pin: ' 1 ' }, 'pin')).toBe('1');
    expect(bodyValueOf({ personPin: 7 }, 'pin')).toBe('7');
    expect(bodyValueOf({ person: { personId: 'a' } }, 'pin')).toBe('a');
    expect(bodyValueOf({ pin: '' }, 'pin')).toBeUndefined();
    expect(bodyValueOf({ pin: { x: 1 } }, 'pin')).toBeUndefined();
    expect(bodyValueOf(['1'], 'pin')).toBeUndefined();
    expect(bodyValueOf(undefined, 'pin')).toBeUndefined();
  });

  it('leaves what it cannot place, and other methods, as sent', () => {
    expect(forms.rewrite('GET', '/api/person/get')).toBe('/api/person/get');
    expect(forms.rewrite('POST', '/api/person/get?pin=1')).toBe('/api/person/get?pin=1');
    expect(forms.rewrite('GET', '/api/nothing/here/1')).toBe('/api/nothing/here/1');
    expect(forms.rewrite('GET', '/api/person/%E0%A4%A')).toBe('/api/person/%E0%A4%A');
  });
});
