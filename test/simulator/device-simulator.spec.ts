import * as fs from 'node:fs';
import { specPath } from '../fixtures/spec-files';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeviceSimulator, DeviceSimulatorOptions } from './device-simulator';
import { ElevatorControllerSimulator } from './elevator';
import { FakePushServer } from './fake-push-server';

const specFile = specPath;
const vectors: Array<{ id: string; request: { rawQuery: string; body: string | null; headers: Record<string, string> } }> = JSON.parse(
  fs.readFileSync(specFile('push-vectors.json'), 'utf8'),
).vectors;
const vector = (id: string) => {
  const v = vectors.find((x) => x.id === id);
  if (!v) throw new Error(`vector ${id} missing`);
  return v;
};

const USER1 = 'C:10:DATA UPDATE user CardNo=123456\tPin=1\tPassword=\tGroup=0\tStartTime=0\tEndTime=0\tName=Ann\tPrivilege=0\tDisable=0';
const USER2 = 'C:11:DATA UPDATE user CardNo=\tPin=2\tPassword=\tGroup=0\tStartTime=0\tEndTime=0\tName=Bob\tPrivilege=0\tDisable=0';
const RIGHTS1 = 'C:12:DATA UPDATE userauthorize Pin=1\tAuthorizeTimezoneId=1\tAuthorizeDoorId=3\tDevID=1';
const RIGHTS2 = 'C:13:DATA UPDATE userauthorize Pin=2\tAuthorizeTimezoneId=1\tAuthorizeDoorId=15\tDevID=1';
/** Time rule 1: Monday-Friday 08:30-12:00 and 13:00-17:30 (segment = (HHMM_start << 16) + HHMM_end). */
const WORKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'];
const SEGMENTS = [(830 << 16) + 1200, (1300 << 16) + 1730, 0];
const TZ1 =
  'C:14:DATA UPDATE timezone ' +
  [
    'TimezoneId=1',
    ...['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Hol1', 'Hol2', 'Hol3'].flatMap((d) =>
      [1, 2, 3].map((n) => `${d}Time${n}=${WORKDAYS.includes(d) ? SEGMENTS[n - 1] : 0}`),
    ),
  ].join('\t');

describe('DeviceSimulator', () => {
  const server = new FakePushServer({ config: { TimeZone: '8' } });
  const sims: DeviceSimulator[] = [];
  const make = (o: Partial<DeviceSimulatorOptions> = {}) => {
    const s = new DeviceSimulator({ baseUrl: server.baseUrl, sn: '3383154200002', ...o });
    sims.push(s);
    return s;
  };
  beforeAll(async () => {
    await server.start();
  });
  afterAll(async () => {
    await server.stop();
  });
  afterEach(() => {
    server.clear();
    server.opts.knownDevice = false;
    server.opts.date = undefined;
  });

  describe('session', () => {
    it('handshake, registry and push have the manual shapes (4.1, 4.4, 4.5)', async () => {
      const sim = make({ pushVersion: '3.0.1' });
      await sim.connect();
      const [hs, reg, push] = server.requests;
      // 4.1: GET /iclock/cdata?SN=3383154200002&pushver=3.0.1&options=all — the vector's exact query
      expect([hs.method, hs.path, hs.rawQuery]).toEqual(['GET', '/iclock/cdata', vector('4.1-init-unregistered').request.rawQuery]);
      expect(hs.headers['user-agent']).toBe('iClock Proxy/1.09');
      expect(hs.headers['content-type']).toBeUndefined();
      // 4.4: POST /iclock/registry?SN=..., one comma line, the vector's keys in the vector's order
      expect([reg.method, reg.path, reg.rawQuery]).toEqual(['POST', '/iclock/registry', vector('4.4-registry').request.rawQuery]);
      expect(reg.headers['content-type']).toBe('application/push;charset=UTF-8');
      expect(reg.body).not.toMatch(/[\r\n\t]/);
      const keys = reg.body.split(',').map((i) => i.slice(0, i.indexOf('=')));
      const manualKeys = (vector('4.4-registry').request.body ?? '').split(',').map((i) => i.slice(0, i.indexOf('=')));
      expect(keys.filter((k) => manualKeys.includes(k))).toEqual(manualKeys);
      for (const k of ['LockCount=4', 'ReaderCount=8', 'AuxInCount=4', 'AuxOutCount=4', 'DeviceType=acc', 'MultiBioDataSupport=', 'AccSupportFunList=']) {
        expect(reg.body).toContain(k);
      }
      // 4.5: POST /iclock/push?SN=... with an empty body and a token cookie
      expect([push.method, push.path, push.rawQuery, push.body]).toEqual(['POST', '/iclock/push', 'SN=3383154200002', '']);
      expect(push.headers.cookie).toMatch(/^token=[0-9a-f]{32}$/);
      expect(sim.registered).toBe(true);
      expect(sim.registryCode).toBe('Uy47fxftP3');
      expect(sim.sessionId).toBe('30BFB04B2C8AECC72C01C03BFD549D15');
      expect(sim.serverOptions.RequestDelay).toBe('2');
      expect(sim.requestDelay).toBe(2);
      expect(sim.lastStatus).toBe(200);
    });

    it('a known device still registers on every connection; registry=ok and the options are kept', async () => {
      server.opts.knownDevice = true;
      const sim = make();
      const hs = await sim.handshake();
      expect(hs.registered).toBe(true);
      expect(hs.options.registry).toBe('ok');
      await sim.connect();
      expect(server.requests.map((r) => r.path)).toEqual(['/iclock/cdata', '/iclock/cdata', '/iclock/registry', '/iclock/push']);
    });

    it('a registry reply without RegistryCode leaves the device unregistered and skips /push', async () => {
      const s = new FakePushServer({ registryBody: 'OK' });
      await s.start();
      try {
        const sim = new DeviceSimulator({ baseUrl: s.baseUrl, sn: 'X1' });
        const r = await sim.register();
        expect(r.registered).toBe(false);
        expect(s.requests.map((q) => q.path)).toEqual(['/iclock/registry']);
      } finally {
        await s.stop();
      }
    });

    it('sets its clock from the Date header and formats events in the TimeZone the server sent', async () => {
      server.opts.date = () => 'Tue, 10 Jan 2017 03:49:32 GMT';
      const sim = make({ now: () => new Date('2030-01-01T00:00:00Z') });
      await sim.connect();
      expect(sim.serverDate?.toISOString()).toBe('2017-01-10T03:49:32.000Z');
      expect(sim.timeZoneOption).toBe('8');
      expect(sim.zone).toBe('+08:00');
      expect(sim.deviceTime()).toBe('2017-01-10 11:49:32');
    });

    it('SET OPTIONS DateTime (Appendix 5 seconds) sets the device clock', async () => {
      const sim = make({ timeZone: 'UTC', now: () => new Date('2030-01-01T00:00:00Z') });
      server.enqueue('C:401:SET OPTIONS DateTime=583080894');
      await sim.poll();
      expect(sim.deviceTime()).toBe('2018-02-22 14:54:54');
    });
  });

  describe('command results', () => {
    it('single form: one POST per command, ID=&Return=&CMD=', async () => {
      const sim = make();
      server.enqueue(USER1, USER2, 'C:20:CONTROL DEVICE 01010105');
      const got = await sim.poll();
      expect(got.map((g) => [g.id, g.result])).toEqual([
        ['10', 0],
        ['11', 0],
        ['20', 0],
      ]);
      expect(server.devicecmdBodies).toEqual(['ID=10&Return=0&CMD=DATA', 'ID=11&Return=0&CMD=DATA', 'ID=20&Return=0&CMD=CONTROL DEVICE']);
      expect(server.requestsTo('/iclock/devicecmd')[0].rawQuery).toBe('SN=3383154200002');
      expect(sim.acknowledged.map((a) => a.id)).toEqual(['10', '11', '20']);
    });

    it('batched form: several results in one body, one per line; lower-case return', async () => {
      const sim = make({ batchReplies: true, returnCase: 'return' });
      server.enqueue(USER1, USER2, 'C:20:CONTROL DEVICE 01010105');
      await sim.poll();
      expect(server.devicecmdBodies).toEqual(['ID=10&return=0&CMD=DATA\nID=11&return=0&CMD=DATA\nID=20&return=0&CMD=CONTROL DEVICE']);
      expect(sim.acknowledged.every((a) => a.body === server.devicecmdBodies[0])).toBe(true);
    });

    it('multi-line form: one field per line', async () => {
      const sim = make({ replyForm: 'multiline' });
      server.enqueue(USER1, 'C:20:CONTROL DEVICE 01010105');
      await sim.poll();
      expect(server.devicecmdBodies).toEqual(['ID=10\nReturn=0\nCMD=DATA', 'ID=20\nReturn=0\nCMD=CONTROL DEVICE']);
    });

    it('resultFor forces failures (-1002, -1004) and the failed command changes nothing', async () => {
      const sim = make({
        resultFor: (c) => (c.verb === 'CONTROL DEVICE' ? -1002 : c.table === 'userauthorize' ? -1004 : undefined),
      });
      server.enqueue(USER1, RIGHTS1, 'C:20:CONTROL DEVICE 01010105');
      await sim.poll();
      expect(server.devicecmdBodies).toEqual(['ID=10&Return=0&CMD=DATA', 'ID=12&Return=-1004&CMD=DATA', 'ID=20&Return=-1002&CMD=CONTROL DEVICE']);
      expect(sim.user(1)).toBeDefined();
      expect(sim.rightsOf(1)).toEqual([]);
      expect(sim.doorActions).toEqual([]);
    });

    it('autoAck=false executes but holds the results until flushAcks()', async () => {
      const sim = make({ autoAck: false });
      server.enqueue(USER1);
      await sim.poll();
      expect(sim.user(1)?.Name).toBe('Ann');
      expect(server.devicecmdBodies).toEqual([]);
      await sim.flushAcks('batched');
      expect(server.devicecmdBodies).toEqual(['ID=10&Return=0&CMD=DATA']);
    });

    describe('faults', () => {
      it('loseNextReply: the server hands the reply out, the device gets nothing', async () => {
        const sim = make();
        server.enqueue(USER1);
        sim.loseNextReply();
        expect(await sim.poll()).toEqual([]);
        expect(sim.lostReplies).toEqual([USER1]);
        expect(sim.user(1)).toBeUndefined();
        expect(server.devicecmdBodies).toEqual([]);
        server.enqueue(USER2);
        expect((await sim.poll()).map((c) => c.id)).toEqual(['11']);
      });

      it('failCommands: a chosen Return N times, then normal execution', async () => {
        const sim = make();
        const f = sim.failCommands((c) => c.table === 'user', -1002, 2);
        server.enqueue(USER1);
        await sim.poll();
        server.enqueue(USER1);
        await sim.poll();
        server.enqueue(USER1);
        await sim.poll();
        expect(server.devicecmdBodies).toEqual(['ID=10&Return=-1002&CMD=DATA', 'ID=10&Return=-1002&CMD=DATA', 'ID=10&Return=0&CMD=DATA']);
        expect(f.used).toBe(2);
        expect(sim.user(1)?.Name).toBe('Ann');
      });

      it("failCommands 'always' never lets the command through", async () => {
        const sim = make();
        sim.failCommands((c) => c.table === 'userauthorize', -12, 'always');
        for (let i = 0; i < 3; i++) {
          server.enqueue(RIGHTS1);
          await sim.poll();
        }
        expect(server.devicecmdBodies.every((b) => b.includes('Return=-12'))).toBe(true);
        expect(sim.rightsOf(1)).toEqual([]);
      });

      it('holdResults: executes now, acknowledges late (releaseResults) or never (dropHeldResults)', async () => {
        const sim = make();
        sim.holdResults((c) => c.table === 'user');
        server.enqueue(`${USER1}\n${RIGHTS1}`);
        await sim.poll();
        expect(sim.user(1)).toBeDefined();
        expect(server.devicecmdBodies).toEqual(['ID=12&Return=0&CMD=DATA']);
        await sim.releaseResults();
        expect(server.devicecmdBodies).toEqual(['ID=12&Return=0&CMD=DATA', 'ID=10&Return=0&CMD=DATA']);
        server.enqueue(USER2);
        await sim.poll();
        expect(sim.dropHeldResults().map((r) => r.id)).toEqual(['11']);
        sim.stopHoldingResults();
        expect(server.devicecmdBodies).toHaveLength(2);
      });

      it('pollConcurrently: two getrequests at once, each reply executed', async () => {
        const sim = make();
        server.enqueue(USER1);
        const replies = await sim.pollConcurrently(2);
        expect(replies.map((r) => r.map((c) => c.id)).sort()).toEqual([[], ['10']]);
        expect(server.requestsTo('/iclock/getrequest')).toHaveLength(2);
      });

      it('factoryReset: tables wiped, then a fresh handshake and registry with the same SN', async () => {
        const sim = make();
        await sim.connect();
        server.enqueue(USER1, RIGHTS1);
        await sim.poll();
        expect(sim.user(1)).toBeDefined();
        server.clear();
        expect((await sim.factoryReset()).registered).toBe(true);
        expect(sim.user(1)).toBeUndefined();
        expect(sim.rightsOf(1)).toEqual([]);
        expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /iclock/cdata', 'POST /iclock/registry', 'POST /iclock/push']);
        expect(server.requests[0].query.SN).toBe('3383154200002');
      });

      it('deleteUserLocally / deleteLocally change the panel without telling the server', async () => {
        const sim = make();
        server.enqueue(USER1, USER2, RIGHTS1, RIGHTS2);
        await sim.poll();
        const before = server.requests.length;
        expect(sim.deleteUserLocally(1)).toBe(2);
        expect(sim.user(1)).toBeUndefined();
        expect(sim.rightsOf(1)).toEqual([]);
        expect(sim.deleteLocally('userauthorize', { Pin: 2 })).toBe(1);
        expect(sim.user(2)).toBeDefined();
        expect(sim.deleteLocally('user')).toBe(1);
        expect(server.requests.length).toBe(before);
      });

      it('addLocally adds a row the server did not send (same key overwrites) and DATA COUNT counts it', async () => {
        const sim = make();
        server.enqueue(USER1, RIGHTS1);
        await sim.poll();
        sim.addLocally('userauthorize', { Pin: 9, AuthorizeTimezoneId: 1, AuthorizeDoorId: 4 });
        sim.addLocally('userauthorize', { Pin: 1, AuthorizeTimezoneId: 1, AuthorizeDoorId: 15 });
        expect(sim.rightsOf(9).map((r) => r.doorMask)).toEqual([4]);
        expect(sim.rightsOf(1).map((r) => r.doorMask)).toEqual([15]);
        const before = server.requests.length;
        server.enqueue('C:90:DATA COUNT userauthorize');
        await sim.poll();
        expect(server.requests.length).toBeGreaterThan(before);
        expect(server.requestsTo('/iclock/querydata').map((r) => r.body)).toEqual(['userauthorize=2']);
        expect(server.devicecmdBodies.at(-1)).toBe('ID=90&Return=2&CMD=DATA COUNT');
      });

      it('an elevator controller counts its usereleauthorize rows (one per pin and time zone) and changes them locally', async () => {
        const ec = new ElevatorControllerSimulator({ baseUrl: server.baseUrl, sn: 'EC10SPEC01', floors: 6 });
        sims.push(ec);
        server.enqueue(
          'C:91:DATA UPDATE usereleauthorize Pin=1\tAuthorizeTimezoneId=1\tAuthorizeFloorId=0\tAuthorizeFloors=6\nPin=1\tAuthorizeTimezoneId=2\tAuthorizeFloorId=0\tAuthorizeFloors=20',
          'C:92:DATA UPDATE usereleauthorize Pin=2\tAuthorizeTimezoneId=1\tAuthorizeFloorId=0\tAuthorizeFloors=1',
        );
        await ec.poll();
        expect(ec.eleRightsOf(1)).toEqual([{ timezone: 1, directFloor: 0, floors: [2, 3] }, { timezone: 2, directFloor: 0, floors: [6] }]);
        expect(ec.deleteLocally('usereleauthorize', { Pin: 1, AuthorizeTimezoneId: 1 })).toBe(1);
        ec.addLocally('usereleauthorize', { Pin: 9, AuthorizeTimezoneId: 1, AuthorizeFloorId: 0, AuthorizeFloors: '3f' });
        ec.addLocally('usereleauthorize', { Pin: 2, AuthorizeTimezoneId: 1, AuthorizeFloorId: 0, AuthorizeFloors: '2' });
        expect(ec.eleRightsOf(9)[0].floors).toEqual([1, 2, 3, 4, 5, 6]);
        expect(ec.eleRightsOf(2)).toEqual([{ timezone: 1, directFloor: 0, floors: [2] }]);
        server.enqueue('C:93:DATA COUNT usereleauthorize');
        await ec.poll();
        expect(server.requestsTo('/iclock/querydata').map((r) => r.body)).toEqual(['usereleauthorize=3']);
        expect(server.devicecmdBodies.at(-1)).toBe('ID=93&Return=3&CMD=DATA COUNT');
      });

      it('retryResults: results the server did not answer 200 OK are posted again before the next poll', async () => {
        let fail = true;
        server.opts.devicecmdReply = () => (fail ? { status: 503, body: 'ERROR: try again' } : { status: 200, body: 'OK' });
        try {
          const sim = make({ retryResults: true });
          server.enqueue(USER1);
          await sim.poll();
          expect(sim.unconfirmedResults.map((r) => r.id)).toEqual(['10']);
          fail = false;
          await sim.poll();
          expect(server.devicecmdBodies).toEqual(['ID=10&Return=0&CMD=DATA', 'ID=10&Return=0&CMD=DATA']);
          expect(sim.unconfirmedResults).toEqual([]);
        } finally {
          server.opts.devicecmdReply = undefined;
        }
      });
    });

    it('pollUntilIdle stops at the first reply without commands', async () => {
      const s = new FakePushServer({ batchSize: 1 });
      await s.start();
      try {
        const sim = new DeviceSimulator({ baseUrl: s.baseUrl, sn: 'X2' });
        s.enqueue(USER1, USER2, RIGHTS1);
        const got = await sim.pollUntilIdle({ maxPolls: 10 });
        expect(got.map((g) => g.id)).toEqual(['10', '11', '12']);
        expect(s.requestsTo('/iclock/getrequest')).toHaveLength(4);
      } finally {
        await s.stop();
      }
    });
  });

  describe('tables', () => {
    it('keys rows like the device: user by Pin, userauthorize by Pin + time rule', async () => {
      const sim = make();
      server.enqueue(USER1, RIGHTS1, RIGHTS1.replace('AuthorizeDoorId=3', 'AuthorizeDoorId=1').replace('C:12', 'C:15'));
      server.enqueue(USER1.replace('Name=Ann', 'Name=Anne').replace('C:10', 'C:16'));
      await sim.poll();
      expect(sim.table('user')).toHaveLength(1);
      expect(sim.user('1')?.Name).toBe('Anne');
      expect(sim.rightsOf(1).map((r) => [r.timezoneId, r.doorMask, r.doors])).toEqual([['1', 1, [1]]]);
    });

    it('multi-record DATA UPDATE: further records on their own lines', async () => {
      const sim = make();
      server.enqueue('C:30:DATA UPDATE userauthorize Pin=1\tAuthorizeTimezoneId=1\tAuthorizeDoorId=1\tDevID=1\nPin=1\tAuthorizeTimezoneId=2\tAuthorizeDoorId=12\tDevID=1\nPin=2\tAuthorizeTimezoneId=1\tAuthorizeDoorId=15\tDevID=1');
      const [c] = await sim.poll();
      expect(c.result).toBe(0);
      expect(sim.rightsOf(1).map((r) => r.doors)).toEqual([[1], [3, 4]]);
      expect(sim.rightsOf(2)[0].doors).toEqual([1, 2, 3, 4]);
      expect(server.devicecmdBodies).toEqual(['ID=30&Return=0&CMD=DATA']);
    });

    it('DATA DELETE user by Pin (the manual cascade) removes the user and their rights; others stay', async () => {
      const sim = make();
      server.enqueue(USER1, USER2, RIGHTS1, RIGHTS2, 'C:17:DATA UPDATE templatev10 Pin=1\tFingerID=6\tValid=1\tTemplate=Si9TUzIx');
      await sim.poll();
      expect(sim.rightsOf(1)).toHaveLength(1);
      server.enqueue('C:335:DATA DELETE userauthorize Pin=1\nC:336:DATA DELETE templatev10 Pin=1\nC:337:DATA DELETE user Pin=1');
      const got = await sim.poll();
      expect(got.map((g) => g.result)).toEqual([0, 0, 0]);
      expect(sim.user(1)).toBeUndefined();
      expect(sim.rightsOf(1)).toEqual([]);
      expect(sim.table('templatev10')).toEqual([]);
      expect(sim.user(2)?.Name).toBe('Bob');
      expect(sim.rightsOf(2)).toHaveLength(1);
    });

    it('the device does not cascade: deleting only the user leaves its rights behind', async () => {
      const sim = make();
      server.enqueue(USER1, RIGHTS1, 'C:40:DATA DELETE user Pin=1');
      await sim.poll();
      expect(sim.user(1)).toBeUndefined();
      expect(sim.rightsOf(1)).toHaveLength(1);
    });

    it('DATA DELETE <t> * clears the table; deleting by an unknown field wipes it like a SenseFace 2A', async () => {
      const sim = make();
      server.enqueue(USER1, USER2, 'C:41:DATA DELETE user uid=1');
      await sim.poll();
      expect(sim.table('user')).toEqual([]);
      expect(sim.warnings.join('\n')).toMatch(/wiped 2 rows/);
      server.enqueue(RIGHTS1, RIGHTS2, 'C:42:DATA DELETE userauthorize *');
      await sim.poll();
      expect(sim.table('userauthorize')).toEqual([]);
    });

    it('fields separated by spaces answer -1; upload spelling makes an empty-key row; unknown table -1004; unknown verb -1002', async () => {
      const sim = make();
      server.enqueue(
        'C:50:DATA UPDATE user CardNo= Pin=1 Password= Group=0 Name=Ann',
        'C:51:DATA UPDATE user pin=7\tname=Lower',
        'C:52:DATA UPDATE doors ID=1',
        'C:53:REBOOT',
        'C:54: DATA DELETE holiday *',
        'C:55:DATA DELETE user Pin=1 Name=x',
      );
      const got = await sim.poll();
      expect(got.map((g) => [g.id, g.result])).toEqual([
        ['50', -1],
        ['51', 0],
        ['52', -1004],
        ['53', -1002],
        ['54', -1002],
        ['55', -1],
      ]);
      expect(sim.user(7)).toBeUndefined();
      expect(sim.table('user')).toEqual([{ pin: '7', name: 'Lower' }]);
      expect(sim.warnings.join('\n')).toMatch(/key field "Pin" missing/);
      expect(server.devicecmdBodies[3]).toBe('ID=53&Return=-1002&CMD=REBOOT');
    });

    it('an injected LF splits a value into a second command, as firmware would; junk lines are ignored', async () => {
      const sim = make();
      server.enqueue('C:60:CONTROL DEVICE 01010105\nhello world\nC:61:DATA UPDATE user Pin=9\tName=Eve\nC:62:CONTROL DEVICE 01020100', 'C:63:DATA UPDATE user Pin=8\tName=x\ny');
      const got = await sim.poll();
      expect(got.map((g) => [g.id, g.result])).toEqual([
        ['60', 0],
        ['61', 0],
        ['62', 0],
        ['63', -1],
      ]);
      expect(sim.ignoredLines).toEqual(['hello world']);
      expect(sim.doorActions.map((a) => [a.action, a.door])).toEqual([
        ['open', 1],
        ['close', 2],
      ]);
    });

    it('userpic / biophoto Size must equal the base64 length (-12 otherwise)', async () => {
      const sim = make();
      server.enqueue('C:70:DATA UPDATE userpic pin=1\tsize=4\tcontent=QUJD', 'C:71:DATA UPDATE userpic pin=2\tsize=3\tcontent=QUJD');
      const got = await sim.poll();
      expect(got.map((g) => g.result)).toEqual([0, -12]);
    });

    it('DATA COUNT uploads <table>=<n> and returns the count; DATA QUERY splits into packages', async () => {
      const sim = make({ queryPackSize: 1 });
      server.enqueue(
        'C:80:DATA UPDATE biodata Pin=1\tNo=0\tIndex=0\tValid=1\tDuress=0\tType=9\tMajorVer=5\tMinorVer=8\tFormat=0\tTmp=AAAA\nPin=2\tNo=0\tIndex=0\tValid=1\tDuress=0\tType=9\tMajorVer=5\tMinorVer=8\tFormat=0\tTmp=BBBB',
        'C:81:DATA COUNT biodata Type=9',
        'C:99:DATA QUERY tablename=biodata,fielddesc=*,filter=Type=9\tPin=2',
        'C:100:DATA QUERY tablename=biodata,fielddesc=*,filter=Type=9',
        'C:101:DATA QUERY USERINFO',
      );
      await sim.poll();
      const qd = server.requestsTo('/iclock/querydata');
      expect(qd.map((r) => r.rawQuery)).toEqual([
        'SN=3383154200002&type=count&cmdid=81&tablename=biodata&count=1&packcnt=1&packidx=1',
        'SN=3383154200002&type=tabledata&cmdid=99&tablename=biodata&count=1&packcnt=1&packidx=1',
        'SN=3383154200002&type=tabledata&cmdid=100&tablename=biodata&count=1&packcnt=2&packidx=1',
        'SN=3383154200002&type=tabledata&cmdid=100&tablename=biodata&count=1&packcnt=2&packidx=2',
      ]);
      expect(qd[0].body).toBe('biodata=2');
      expect(qd[1].body).toBe('biodata pin=2\tno=0\tindex=0\tvalid=1\tduress=0\ttype=9\tmajorver=5\tminorver=8\tformat=0\ttmp=BBBB');
      expect(server.devicecmdBodies.slice(1)).toEqual([
        'ID=81&Return=2&CMD=DATA COUNT',
        'ID=99&Return=1&CMD=DATA QUERY',
        'ID=100&Return=2&CMD=DATA QUERY',
        'ID=101&Return=-629&CMD=DATA QUERY',
      ]);
    });

    it('SET OPTIONS stores values (a TAB pair lands in the first key, as on real firmware); GET OPTIONS uploads known ones', async () => {
      const sim = make();
      server.enqueue('C:402:SET OPTIONS ComPwd=1', 'C:403:SET OPTIONS A=x\tB=y', 'C:410:GET OPTIONS ComPwd,LockCount,~DeviceName,NoSuchOption,A');
      await sim.poll();
      expect(sim.options.get('A')).toBe('x\tB=y');
      const [q] = server.requestsTo('/iclock/querydata');
      expect(q.rawQuery).toBe('SN=3383154200002&type=options&cmdid=410&tablename=options&count=1&packcnt=1&packidx=1');
      expect(q.body).toBe('ComPwd=1,LockCount=4,~DeviceName=SIM-4Door,A=x\tB=y');
      expect(server.devicecmdBodies.at(-1)).toBe('ID=410&Return=0&CMD=GET OPTIONS');
    });
  });

  describe('doors', () => {
    it('CONTROL DEVICE opens, latches, closes, cancels alarms and refuses out-of-range doors', async () => {
      let t = new Date('2024-03-04T10:00:00Z');
      const sim = make({ now: () => t, syncClock: false });
      sim.raiseAlarm(2, 0x02);
      server.enqueue('C:221:CONTROL DEVICE 01010105', 'C:222:CONTROL DEVICE 02000000', 'C:223:CONTROL DEVICE 010201FF', 'C:224:CONTROL DEVICE 01020105', 'C:225:CONTROL DEVICE 01050105');
      const got = await sim.poll();
      expect(got.map((g) => g.result)).toEqual([0, 0, 0, -28, -11]);
      expect(sim.doorActions.map((a) => [a.action, a.door, a.seconds, a.result])).toEqual([
        ['open', 1, 5, 0],
        ['cancelAlarm', 0, undefined, 0],
        ['normalOpen', 2, undefined, 0],
        ['open', 2, 5, -28],
      ]);
      expect(sim.doorState(1).unlocked).toBe(true);
      expect(sim.doorState(2).alarm).toBe(0);
      t = new Date('2024-03-04T10:00:06Z');
      expect(sim.doorState(1).unlocked).toBe(false);
      expect(sim.doorState(2).unlocked).toBe(true);
      server.enqueue('C:226:CONTROL DEVICE 01020100', 'C:227:CONTROL DEVICE 03000000');
      await sim.poll();
      expect(sim.doorState(2).unlocked).toBe(false);
      expect(sim.needsReconnect).toBe(true);
    });

    it('rtstate reflects doors: sensor 2 bits per door, relay bit per door, alarm byte per door', async () => {
      const sim = make({ now: () => new Date('2017-01-10T07:42:40Z'), timeZone: '+08:00', syncClock: false });
      const manual = await sim.uploadRtstate({ sensor: '00', relay: '00', alarm: '0200000000000000' });
      expect(manual.sent).toBe(vector('7.3-rtstate').request.body);
      sim.setDoorSensor(1, 'closed');
      sim.setDoorSensor(2, 'open');
      sim.raiseAlarm(1, 0x02);
      server.enqueue('C:1:CONTROL DEVICE 010201FF');
      await sim.poll();
      const r = await sim.uploadRtstate();
      expect(r.sent).toBe('time=2017-01-10 15:42:40\tsensor=09\trelay=02\talarm=0200000000000000');
      expect(server.requestsTo('/iclock/cdata').at(-1)?.rawQuery).toBe('SN=3383154200002&table=rtstate');
    });
  });

  describe('uploads', () => {
    it('rtlog: the manual vector byte for byte, in the device zone, with auto-incrementing index', async () => {
      const sim = make({ timeZone: '+08:00', syncClock: false, now: () => new Date('2017-01-10T03:49:32Z'), startIndex: 21 });
      const r = await sim.uploadRtlog([{ pin: 0, cardno: 0, eventaddr: 1, event: 27, inoutstatus: 1, verifytype: 0 }]);
      expect(r.sent).toBe(vector('7.2-rtlog').request.body);
      expect(r.status).toBe(200);
      const req = server.requestsTo('/iclock/cdata').at(-1);
      expect(req?.rawQuery).toBe('SN=3383154200002&table=rtlog&Stamp=9999');
      expect(req?.headers['content-type']).toBe('application/push;charset=UTF-8');
      const two = await sim.uploadRtlog([
        { time: new Date('2024-07-01T10:00:00Z'), pin: 5, event: 0, verifytype: 4, cardno: 123456 },
        { pin: 5, event: 0, verifytype: 15, maskflag: 0, temperature: '36.5' },
      ]);
      expect(two.sent.split('\n')).toEqual([
        'time=2024-07-01 18:00:00\tpin=5\tcardno=123456\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=4\tindex=22',
        'time=2017-01-10 11:49:32\tpin=5\tcardno=0\teventaddr=1\tevent=0\tinoutstatus=0\tverifytype=15\tindex=23\tmaskflag=0\ttemperature=36.5',
      ]);
      expect(sim.table('transaction').map((t) => t.index)).toEqual(['21', '22', '23']);
    });

    it('rtlog with an IANA zone follows DST; Stamp can be left out as in the manual', async () => {
      const sim = make({ timeZone: 'Europe/Berlin', rtlogStamp: null, syncClock: false });
      const r = await sim.uploadRtlog([
        { time: new Date('2024-01-15T12:00:00Z'), pin: 1, index: 1 },
        { time: new Date('2024-07-15T12:00:00Z'), pin: 1, index: 2 },
      ]);
      expect(r.sent).toMatch(/^time=2024-01-15 13:00:00\t.*\ntime=2024-07-15 14:00:00\t/);
      expect(server.requestsTo('/iclock/cdata').at(-1)?.rawQuery).toBe('SN=3383154200002&table=rtlog');
    });

    it('tabledata uploads: table-name prefix (none for ATTPHOTO) and count', async () => {
      const sim = make();
      const r = await sim.uploadTable('user', [
        { uid: 5, cardno: '', pin: 4, password: '', group: 1, starttime: 0, endtime: 0, name: '', privilege: 0, disable: 0, verify: 0 },
      ]);
      expect(r.sent).toBe(vector('7.5-user-upload').request.body);
      expect(r.body).toBe('user=1');
      expect(server.requestsTo('/iclock/cdata').at(-1)?.rawQuery).toBe(vector('7.5-user-upload').request.rawQuery);
      const p = await sim.uploadTable('ATTPHOTO', [{ pin: '20181003143617-22.jpg', sn: '1809140006', size: 3, photo: 'QUJD' }]);
      expect(p.sent).toBe('pin=20181003143617-22.jpg\tsn=1809140006\tsize=3\tphoto=QUJD');
    });

    it('uploadRaw: no Content-Type, an odd one, and Expect: 100-continue all reach the server', async () => {
      const sim = make();
      await sim.uploadRaw('/iclock/cdata', { table: 'rtlog' }, 'time=2024-01-01 00:00:00\tpin=1', { 'Content-Type': null });
      await sim.uploadRaw('/iclock/cdata', 'SN=3383154200002&table=rtlog', 'x=1', { 'Content-Type': 'text/html' });
      const r = await sim.uploadRaw('/iclock/cdata', { table: 'rtlog' }, 'time=2024-01-01 00:00:00\tpin=2', { Expect: '100-continue' });
      expect(r.status).toBe(200);
      const reqs = server.requestsTo('/iclock/cdata');
      expect(reqs.map((q) => q.headers['content-type'])).toEqual([undefined, 'text/html', 'application/push;charset=UTF-8']);
      expect(reqs[2].headers.expect).toBe('100-continue');
      expect(reqs[2].body).toBe('time=2024-01-01 00:00:00\tpin=2');
      expect(sim.exchanges.at(-1)?.transport).toBe('http');
    });
  });

  describe('access decisions', () => {
    it('grants inside the time rule, refuses outside it, for other doors and for strangers', async () => {
      let t = new Date('2024-03-04T09:00:00Z'); // Monday 10:00 in +01:00
      const sim = make({ timeZone: '+01:00', syncClock: false, now: () => t });
      server.enqueue(USER1, RIGHTS1, TZ1);
      const got = await sim.poll();
      expect(got.map((g) => g.result)).toEqual([0, 0, 0]);
      const ok = await sim.access({ pin: 1, door: 2 });
      expect(ok.decision).toMatchObject({ granted: true, event: 0 });
      expect(ok.upload.sent).toMatch(/^time=2024-03-04 10:00:00\tpin=1\tcardno=0\teventaddr=2\tevent=0\t/);
      expect(sim.doorState(2).unlocked).toBe(true);
      expect(sim.evaluateAccess({ cardno: 123456, door: 1 })).toMatchObject({ granted: true, pin: '1' });
      expect(sim.evaluateAccess({ pin: 1, door: 3 }).event).toBe(23);
      expect(sim.evaluateAccess({ pin: 99, door: 1 }).event).toBe(27);
      t = new Date('2024-03-04T11:30:00Z'); // 12:30, between the segments
      expect(sim.evaluateAccess({ pin: 1, door: 1 }).event).toBe(22);
      server.enqueue('C:90:DATA UPDATE holiday Holiday=20240304\tHolidayType=1\tLoop=2');
      await sim.poll();
      t = new Date('2024-03-04T09:00:00Z');
      expect(sim.evaluateAccess({ pin: 1, door: 1 }).event).toBe(22);
    });

    it('reads its tables by its current options; reconfigure registers again with the new ones and keeps the tables', async () => {
      const t = new Date('2024-03-04T09:00:00Z');
      const sim = make({ timeZone: '+01:00', syncClock: false, now: () => t });
      // Valid 2024-01-01 to 2024-12-31 as YYYYMMDD; card 123456 in the user record and (hex 1E240) in mulcarduser for pin 2.
      server.enqueue(
        USER1.replace('StartTime=0\tEndTime=0', 'StartTime=20240101\tEndTime=20241231'),
        RIGHTS1,
        TZ1,
        'C:15:DATA UPDATE mulcarduser Pin=1\tCardNo=1E240\tLossCardFlag=0\tCardType=0',
      );
      expect((await sim.poll()).map((g) => g.result)).toEqual([0, 0, 0, 0]);
      // The default panel: DateFmtFunOn=1 (seconds: 20240101 is a time in 2000, so the end is long past), one card per user.
      expect(sim.flagOn('DateFmtFunOn')).toBe(true);
      expect(sim.evaluateAccess({ pin: 1, door: 1 })).toMatchObject({ granted: false, event: 29 });
      expect(sim.evaluateAccess({ cardno: 123456, door: 1 }).pin).toBe('1');

      await sim.reconfigure({ firmVer: 'Ver 9.9', registryExtras: { DateFmtFunOn: 0, MulCardUserFunOn: 1 } });
      const body = server.requestsTo('/iclock/registry').at(-1)!.body;
      expect(body).toContain('FirmVer=Ver 9.9');
      expect(body).toContain('DateFmtFunOn=0');
      expect(body).toContain('MulCardUserFunOn=1');
      expect(sim.table('user')).toHaveLength(1);
      expect(sim.evaluateAccess({ pin: 1, door: 1 })).toMatchObject({ granted: true, event: 0 });
      // user.CardNo is void with multi-card on: the card is found through mulcarduser (hex), and only there.
      expect(sim.evaluateAccess({ cardno: 123456, door: 1 })).toMatchObject({ granted: true, pin: '1' });
      sim.deleteLocally('mulcarduser');
      expect(sim.evaluateAccess({ cardno: 123456, door: 1 }).event).toBe(27);

      // An extra set to undefined is dropped: the default parameter is back.
      await sim.reconfigure({ registryExtras: { DateFmtFunOn: undefined } });
      expect(server.requestsTo('/iclock/registry').at(-1)!.body).toContain('DateFmtFunOn=1');
      expect(sim.flagOn('DateFmtFunOn')).toBe(true);
    });
  });

  it('records every exchange', async () => {
    const sim = make();
    await sim.connect();
    await sim.poll();
    expect(sim.exchanges.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([
      'GET /iclock/cdata 200',
      'POST /iclock/registry 200',
      'POST /iclock/push 200',
      'GET /iclock/getrequest 200',
    ]);
    expect(sim.exchanges[1].requestBody).toBe(sim.registrationBody());
  });
});
