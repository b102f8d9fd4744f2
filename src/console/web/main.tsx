import '@picocss/pico/css/pico.min.css';
import './console.css';
import { render } from 'preact';
import type { ComponentChildren } from 'preact';
import { useEffect, useErrorBoundary, useRef, useState } from 'preact/hooks';
import { api, setCsrf, whenSignedOut } from './api';
import { AttendancePage } from './attendance';
import { AuditPage } from './audit';
import { CatalogPage } from './catalog';
import { DashboardPage } from './dashboard';
import { DevicesPage } from './devices';
import { DoorsPage } from './doors';
import { ElevatorPage } from './elevator';
import { EntrancePage } from './entrance';
import { HepPage } from './hep';
import { MediaPage } from './media';
import { ParkingPage } from './parking';
import { PersonsPage } from './persons';
import { SettingsPage } from './settings';
import { TransactionsPage } from './transactions';
import { can, Notice, useAction, type Role } from './ui';
import { VisitorsPage } from './visitors';

export interface Me {
  id: string;
  name: string;
  role: Role;
  totpEnabled: boolean;
  /** The server's time zone (TIME_ZONE): the API's times are wall clocks there. */
  timeZone?: string;
}

export type Go = (path: string, e?: Event) => void;

const PAGES: Array<{ path: string; label: string; need?: Role; view: (p: { me: Me; go: Go }) => any }> = [
  { path: 'dashboard', label: 'Dashboard', view: DashboardPage },
  { path: 'persons', label: 'Persons', view: PersonsPage },
  { path: 'doors', label: 'Doors', view: DoorsPage },
  { path: 'devices', label: 'Devices', view: DevicesPage },
  { path: 'transactions', label: 'Transactions', view: TransactionsPage },
  { path: 'attendance', label: 'Attendance', view: AttendancePage },
  { path: 'elevator', label: 'Elevator', view: ElevatorPage },
  { path: 'entrance', label: 'Entrance control', view: EntrancePage },
  { path: 'hep', label: 'Temperature and mask', view: HepPage },
  { path: 'media', label: 'Media', view: MediaPage },
  { path: 'parking', label: 'Parking', view: ParkingPage },
  { path: 'visitors', label: 'Visitors', view: VisitorsPage },
  { path: 'access', label: 'Access levels', view: CatalogPage },
  { path: 'audit', label: 'Audit log', need: 'operator', view: AuditPage },
  { path: 'settings', label: 'Settings', view: SettingsPage },
];

function currentPath(): string {
  const p = location.pathname.replace(/^\/console\/?/, '').split('/')[0];
  return PAGES.some((x) => x.path === p) ? p : 'dashboard';
}

function Login({ onIn, ended }: { onIn: (me: Me, csrf: string) => void; ended?: string }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needCode, setNeedCode] = useState(false);
  const a = useAction();
  async function submit(e: Event) {
    e.preventDefault();
    const r = await a.run(() => api('POST', 'session/login', { name, password, code: needCode ? code : undefined }));
    if (!r) return;
    if (r.totpRequired) setNeedCode(true);
    else onIn({ ...r.operator, timeZone: r.timeZone }, r.csrfToken);
  }
  return (
    <main class="container login">
      <article>
        <h1>Gateway console</h1>
        <form onSubmit={submit} onInvalidCapture={a.invalid} aria-label="Sign in">
          <label>
            Operator name
            <input name="name" autocomplete="username" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label>
            Password
            <input name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          </label>
          {needCode && (
            <label>
              One-time code
              <input name="code" inputMode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required value={code} onInput={(e) => setCode(e.currentTarget.value)} autofocus />
            </label>
          )}
          {ended && !a.error && !needCode && (
            <p role="alert" class="notice error">
              {ended}
            </p>
          )}
          <Notice error={a.error} ok={needCode && !a.error ? 'Enter the 6-digit code from your authenticator app' : undefined} />
          <button type="submit" aria-busy={a.busy} disabled={a.busy}>
            Sign in
          </button>
        </form>
      </article>
    </main>
  );
}

/**
 * A page that fails while it is drawn (an answer it did not expect) says so in words, with the navigation still
 * there, instead of leaving a blank window; another page, or Try again, draws afresh.
 */
function PageBoundary({ children }: { children: ComponentChildren }) {
  const [error, reset] = useErrorBoundary((e) => console.error('console page failed', e));
  if (!error) return <>{children}</>;
  return (
    <>
      <p role="alert" class="notice error">
        This page could not be shown: {(error as Error)?.message ?? String(error)}. Nothing was changed; try again, or open another page.
      </p>
      <button type="button" class="secondary" onClick={reset}>
        Try again
      </button>
    </>
  );
}

function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [ended, setEnded] = useState<string | undefined>();
  const signedIn = useRef(false);
  signedIn.current = !!me;
  const [page, setPage] = useState(currentPath());
  useEffect(() => {
    // A call that finds the session ended says so on the sign-in form: nothing of what was being done was saved.
    whenSignedOut(() => {
      // Only a session that was open has ended: the first check of a page opened signed out is no news.
      if (signedIn.current) setEnded('Your session has ended (after a time without activity, a sign-out elsewhere, or a change to your account): sign in again. What you were doing was not saved.');
      setMe(null);
    });
    api('GET', 'session').then(
      (s) => (setCsrf(s.csrfToken), setMe({ ...s.operator, timeZone: s.timeZone })),
      () => setMe(null),
    );
    const onPop = () => setPage(currentPath());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  function go(path: string, e?: Event) {
    e?.preventDefault();
    history.pushState(null, '', `/console/${path}`);
    setPage(currentPath());
    document.getElementById('main')?.focus();
  }
  async function logout() {
    signedIn.current = false; // a call still on its way is refused now: no "session ended" for a sign-out
    await api('POST', 'session/logout').catch(() => undefined);
    setMe(null);
  }
  if (me === undefined) return <p aria-busy="true">Loading…</p>;
  if (me === null) return <Login ended={ended} onIn={(m, csrf) => (setCsrf(csrf), setEnded(undefined), setMe(m))} />;
  const current = PAGES.find((p) => p.path === page)!;
  const View = current.view;
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <strong>Gateway console</strong>
        <span class="who">
          {me.name} · {me.role}
          <button type="button" class="secondary outline small" onClick={logout}>
            Sign out
          </button>
        </span>
      </header>
      <nav class="side" aria-label="Pages">
        <ul>
          {PAGES.filter((p) => !p.need || can(me.role, p.need)).map((p) => (
            <li key={p.path}>
              <a href={`/console/${p.path}`} aria-current={p.path === page ? 'page' : undefined} onClick={(e) => go(p.path, e)}>
                {p.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1} class="content">
        <h1>{current.label}</h1>
        <PageBoundary key={page}>
          <View me={me} go={go} />
        </PageBoundary>
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
