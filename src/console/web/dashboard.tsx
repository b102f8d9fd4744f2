import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api } from './api';
import type { Go, Me } from './main';
import { Badge, can, ConvergenceLink, DataTable, deviceLabel, kindName, LevelBadge, Notice, owedName, refusalsText, useAction, useEvery, useLoad } from './ui';

interface LiveEvent {
  /** The SSE id (`t:`, `p:` or `m:` and the feed position): unique across the modules, whose own ids are not. */
  key: string;
  id: string;
  /** acc (access), att (attendance punch), ele (elevator), psg (entrance control). */
  module?: string;
  eventTime: string;
  pin: string;
  name: string;
  lastName?: string;
  /** The card read, the only trace of who it was when the badge is nobody's ("card is not registered"). */
  cardNo?: string;
  eventName: string;
  eventLevel?: number;
  eventPointName: string;
  devSn: string;
  doorName?: string;
  /** A device's connection changing (a `deviceState` event), drawn as a row of its own. */
  device?: DeviceStateChange;
}

/** The stream's `deviceState` event: a device went online or offline, or its admission changed. */
interface DeviceStateChange {
  sn: string;
  alias: string;
  kind: string;
  state: 'online' | 'offline' | 'pending' | 'disabled';
  lastSeen: string | null;
  time: string | null;
}

const DEVICE_STATE_WORDS: Record<DeviceStateChange['state'], { text: string; tone: 'ok' | 'bad' | 'warn' | 'muted' }> = {
  online: { text: 'online', tone: 'ok' },
  offline: { text: 'offline', tone: 'bad' },
  pending: { text: 'waiting for approval', tone: 'warn' },
  disabled: { text: 'disabled', tone: 'muted' },
};

/** A device state change as a live event row: "Attendance terminal offline", where it is, and its last contact. */
function deviceEvent(d: DeviceStateChange): LiveEvent {
  return {
    // No feed position (a change is seen, not stored): the device, its state and the moment name it.
    key: `d:${d.sn}:${d.state}:${d.time}`,
    id: '',
    eventTime: d.time ?? '',
    pin: '',
    name: '',
    eventName: `${kindName(d.kind)} ${DEVICE_STATE_WORDS[d.state].text}`,
    eventPointName: deviceLabel(d.alias, d.sn),
    devSn: d.sn,
    device: d,
  };
}

/** Who an event is about: the person by name and pin, the card read beside them, or the card alone (an unregistered badge). */
/** The Device column of the dashboard's device tables: alias and SN, linked to the device's convergence. */
const deviceColumn = (go: Go) => ({
  head: 'Device',
  cell: (d: any) => (
    <ConvergenceLink sn={d.sn} go={go}>
      {deviceLabel(d.alias, d.sn)}
    </ConvergenceLink>
  ),
});

/** A dashboard list of devices in one state (offline, disabled), with their last contact; nothing when there are none. */
function DeviceList({ title, rows, go }: { title: string; rows: Array<{ sn: string; lastSeen?: string | null }>; go: Go }) {
  if (rows.length === 0) return null;
  const id = `${title.toLowerCase()}-h`;
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <DataTable label={`Devices ${title.toLowerCase()}`} rows={rows} rowKey={(d) => d.sn} empty="" columns={[deviceColumn(go), { head: 'Last seen', cell: (d) => d.lastSeen ?? 'never' }]} />
    </section>
  );
}

export function whoText(e: { pin?: string; name?: string; lastName?: string; cardNo?: string }): string {
  const person = e.pin ? `${[e.name, e.lastName].filter(Boolean).join(' ')} (${e.pin})`.trim() : '';
  const card = e.cardNo ? `card ${e.cardNo}` : '';
  return [person, card].filter(Boolean).join(', ');
}

/** The longest a door state change waits for the dashboard to read it again (the changes of a moment read once). */
const DOOR_RELOAD_MS = 2000;

/** Live events drawn together: the ones arriving within this of the first are drawn at once, and the list keeps the newest. */
const LIVE_DRAW_MS = 250;
const LIVE_EVENTS_KEPT = 50;

/** The tag of a live event that is not an access event: the module it comes from. */
const MODULE_TAGS: Record<string, string> = { att: 'attendance', ele: 'elevator', psg: 'entrance control' };

/**
 * A door's sensor and lock in an operator's words: the API answers the manual's enumerations, where a closed
 * door's sensor is "off" and a locked lock's relay "off" too.
 */
export function sensorWords(sensor: string): string {
  return sensor === 'off' ? 'closed' : sensor;
}

export function lockWords(relay: string): string {
  return relay === 'off' ? 'locked' : relay === 'open' ? 'unlocked' : relay;
}

export function doorTone(d: { sensor: string; alarm: string; connect: string }) {
  if (d.connect !== '1' || d.sensor === 'unknown') return 'muted' as const;
  if (d.alarm && d.alarm !== 'none' && d.alarm !== 'unknown') return 'bad' as const;
  return d.sensor === 'open' ? ('warn' as const) : ('ok' as const);
}

export function DashboardPage({ me, go }: { me: Me; go: (path: string, e?: Event) => void }) {
  const { data, error, reload } = useLoad(() => api('GET', 'dashboard'));
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [live, setLive] = useState<'connecting' | 'live' | 'lost'>('connecting');
  const a = useAction();
  useEffect(() => {
    let es: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    // The position of the last event received, or where the page opened before any: a stream the dashboard opens
    // again itself resumes there (a new EventSource sends no Last-Event-ID), so the events stored while it was
    // closed are shown too, the ones stored before its first event as well.
    let lastId = '';
    let doorReload: ReturnType<typeof setTimeout> | undefined;
    // Events received since the list was last drawn, oldest first. A burst (a panel's buffered rtlog after it came
    // back, a crowd at the turnstiles) drew the page once per event, each a new announcement of the live region:
    // the events of LIVE_DRAW_MS are drawn together, every one of them.
    let arrived: LiveEvent[] = [];
    let draw: ReturnType<typeof setTimeout> | undefined;
    const drawArrived = () => {
      draw = undefined;
      const batch = arrived;
      arrived = [];
      setEvents((list) => {
        // An event's own feed position names it: a replayed event already in the list is not shown twice.
        const seen = new Set(list.map((x) => x.key));
        const fresh = batch.filter((x) => !x.key || (!seen.has(x.key) && (seen.add(x.key), true)));
        return fresh.length ? [...fresh.reverse(), ...list].slice(0, LIVE_EVENTS_KEPT) : list;
      });
    };
    const add = (e: Event) => {
      const m = e as MessageEvent;
      if (m.lastEventId) lastId = m.lastEventId;
      // The event's own feed position is the id's first part; the rest is the other feeds' positions.
      arrived.push({ ...JSON.parse(m.data), key: m.lastEventId.split(',')[0] });
      draw ??= setTimeout(drawArrived, LIVE_DRAW_MS);
    };
    const lost = () => {
      setLive('lost');
      if (!stopped) retry = setTimeout(connect, 3000);
    };
    const connect = async () => {
      if (!lastId) {
        // The starting position first, read when the page opens (again on the next try while it cannot be read).
        const start = await api<{ lastEventId: string; latest?: Array<{ key: string; data: Omit<LiveEvent, 'key'> }> }>('GET', 'dashboard/stream-position').catch(() => undefined);
        if (stopped) return;
        if (!start) return lost();
        lastId = start.lastEventId;
        // The list opens on the latest events stored (newest first), as CVSecurity's monitoring does, not empty until
        // the next one: the stream's copy of one stored meanwhile is dropped by its key when drawn.
        const latest = (start.latest ?? []).map((x) => ({ ...x.data, key: x.key }));
        setEvents((list) => {
          const seen = new Set(list.map((x) => x.key));
          return [...list, ...latest.filter((x) => !seen.has(x.key))].slice(0, LIVE_EVENTS_KEPT);
        });
      }
      const source = (es = new EventSource(`/console/api/dashboard/stream?lastEventId=${encodeURIComponent(lastId)}`));
      source.onopen = () => setLive('live');
      source.onerror = () => {
        // The browser retries a dropped stream by itself, but gives it up for good when the answer is an error
        // (a proxy's 502 while the gateway restarts): the dashboard then connects again itself.
        if (source.readyState === EventSource.CLOSED) lost();
        else setLive('lost');
      };
      // Access events, attendance punches, and elevator and channel-controller events, as they happen.
      for (const type of ['transaction', 'punch', 'moduleTransaction']) source.addEventListener(type, add);
      // Door state changes refresh the numbers and the door list. Each panel's periodic rtstate is one event per
      // door (its time changes even when nothing else does), and a reload reads the whole dashboard (every
      // device's convergence): the events of a moment make one reload, at most one every 2 s, not one each.
      const reloadSoon = () => {
        doorReload ??= setTimeout(() => ((doorReload = undefined), reload()), DOOR_RELOAD_MS);
      };
      source.addEventListener('doorState', reloadSoon);
      // A device going offline or coming back: a row in the live events, and the counts, lists and its doors'
      // connection read again. Such an event has no id of its own (the browser's lastEventId is the previous event's).
      source.addEventListener('deviceState', (e) => {
        arrived.push(deviceEvent(JSON.parse((e as MessageEvent).data)));
        draw ??= setTimeout(drawArrived, LIVE_DRAW_MS);
        reloadSoon();
      });
    };
    void connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      clearTimeout(doorReload);
      clearTimeout(draw);
      es?.close();
    };
  }, []);
  // The counts and lists are read again every 10 s too: a change the stream missed while it reconnected shows.
  useEvery(10_000, reload);
  async function approve(d: { sn: string; kind: string }) {
    await a.run(() => api('POST', `devices/${encodeURIComponent(d.sn)}/approve`), `${kindName(d.kind)} ${d.sn} approved; its data is being sent`);
    reload();
  }
  if (error) return <Notice error={error} />;
  if (!data) return <p aria-busy="true">Loading…</p>;
  return (
    <>
      <section class="cards" aria-label="Devices">
        <article>
          <span class="n">{data.devices.online}</span> devices online
        </article>
        <article>
          <span class="n">{data.devices.offline}</span> offline
        </article>
        <article>
          <span class="n">{data.devices.pending}</span> waiting for approval
        </article>
        {data.devices.disabled > 0 && (
          <article>
            <span class="n">{data.devices.disabled}</span> disabled
          </article>
        )}
        <article>
          <span class="n">{data.notConverged.length}</span> not converged
        </article>
      </section>
      <Notice error={a.error} ok={a.ok} />
      {data.pendingDevices.length > 0 && (
        <section aria-labelledby="pending-h">
          <h2 id="pending-h">Waiting for approval</h2>
          <table aria-labelledby="pending-h">
            <thead>
              <tr>
                <th scope="col">SN</th>
                <th scope="col">Kind</th>
                <th scope="col">Model</th>
                <th scope="col">Address</th>
                <th scope="col">Last seen</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {data.pendingDevices.map((d: any) => (
                <tr key={d.sn}>
                  <td>{d.sn}</td>
                  <td>{kindName(d.kind)}</td>
                  <td>{d.type}</td>
                  <td>{d.ipAddress}</td>
                  <td>{d.lastSeen}</td>
                  <td>
                    {can(me.role, 'admin') ? (
                      <button type="button" class="small" onClick={() => approve(d)} disabled={a.busy}>
                        Approve {d.sn}
                      </button>
                    ) : (
                      <small>an administrator approves</small>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {/* Which devices the count means: an offline panel still decides at its doors by itself, with what it held
          when it last polled, and one with nothing queued is in no other list here. */}
      <DeviceList title="Offline" rows={data.offlineDevices} go={go} />
      {/* Disabled by an administrator: the gateway refuses their requests, and a panel keeps deciding at its doors
          with what it held; its doors read "panel disabled", not offline. */}
      <DeviceList title="Disabled" rows={data.disabledDevices} go={go} />
      {data.notConverged.length > 0 && (
        <section aria-labelledby="nc-h">
          <h2 id="nc-h">Not converged</h2>
          <DataTable
            label="Devices whose state has not converged"
            rows={data.notConverged}
            rowKey={(d: any) => d.sn}
            empty=""
            columns={[
              deviceColumn(go),
              { head: 'Online', cell: (d: any) => (d.online ? <Badge tone="ok">online</Badge> : <Badge tone="muted">offline</Badge>) },
              {
                head: 'State',
                cell: (d: any) =>
                  d.divergent ? (
                    <Badge tone="bad">divergent</Badge>
                  ) : d.state === 'refused' ? (
                    <Badge tone="bad">refused by the firmware: {refusalsText(d.refusals)}</Badge>
                  ) : d.online ? (
                    <Badge tone="warn">converging</Badge>
                  ) : (
                    <Badge tone="warn">waiting for the device</Badge>
                  ),
              },
              { head: 'Desired / confirmed', cell: (d: any) => `${d.desiredItems} / ${d.confirmedItems}` },
              { head: 'Not confirmed', cell: (d: any) => d.unconfirmedItems },
              { head: 'Failing', cell: (d: any) => d.failingItems },
              {
                head: 'Owed',
                cell: (d: any) =>
                  d.owed.map((kind: string, i: number) => (
                    <Fragment key={kind}>
                      {i > 0 && ', '}
                      <span title={`owed: ${kind}`}>{owedName(kind)}</span>
                    </Fragment>
                  )),
              },
            ]}
          />
        </section>
      )}
      <div class="two">
        <section aria-labelledby="doors-h">
          <h2 id="doors-h">Doors</h2>
          <table aria-label="Door states">
            <thead>
              <tr>
                <th scope="col">Door</th>
                <th scope="col">Sensor</th>
                <th scope="col">Lock</th>
                <th scope="col">Alarm</th>
              </tr>
            </thead>
            <tbody>
              {data.doors.map((d: any) => (
                <tr key={d.id}>
                  <td>{d.name}</td>
                  <td>
                    <Badge tone={doorTone(d)}>{d.connect === '1' ? sensorWords(d.sensor) : d.connect === '2' ? 'panel disabled' : 'offline'}</Badge>
                  </td>
                  <td>{lockWords(d.relay)}</td>
                  <td>{d.alarm}</td>
                </tr>
              ))}
              {data.doors.length === 0 && (
                <tr>
                  <td colSpan={4}>No doors yet: approve a panel.</td>
                </tr>
              )}
            </tbody>
          </table>
        </section>
        <section aria-labelledby="ev-h">
          <h2 id="ev-h">
            Live events <Badge tone={live === 'live' ? 'ok' : 'warn'}>{live}</Badge>
          </h2>
          <div class="events">
            <table aria-label="Live events" aria-live="polite">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Event</th>
                  <th scope="col">Where</th>
                  <th scope="col">Who</th>
                </tr>
              </thead>
              <tbody id="live-events">
                {events.map((e) => (
                  <tr key={e.key}>
                    <td>{e.eventTime}</td>
                    <td>
                      {e.device ? (
                        <Badge tone={DEVICE_STATE_WORDS[e.device.state].tone}>{e.eventName}</Badge>
                      ) : (
                        <>
                          {e.eventName} <LevelBadge level={e.eventLevel} /> {MODULE_TAGS[e.module ?? ''] && <Badge tone="muted">{MODULE_TAGS[e.module ?? '']}</Badge>}
                        </>
                      )}
                    </td>
                    <td>{e.doorName || e.eventPointName || e.devSn}</td>
                    <td>{e.device ? (e.device.state === 'offline' ? `last seen ${e.device.lastSeen ?? 'never'}` : '') : whoText(e)}</td>
                  </tr>
                ))}
                {events.length === 0 && (
                  <tr>
                    <td colSpan={4}>Events appear here as they happen.</td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        </section>
      </div>
    </>
  );
}
