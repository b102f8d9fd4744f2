import '@picocss/pico/css/pico.min.css';
import { FirstOpenPage } from './first-open';
import './console.css';
import { render } from 'preact';
import type { ComponentChildren } from 'preact';
import { useEffect, useErrorBoundary, useRef, useState } from 'preact/hooks';
import { api, ApiError, errorText, setCsrf, whenSignedOut } from './api';
import { AttendancePage } from './attendance';
import { AuditPage } from './audit';
import { CatalogPage } from './catalog';
import { DashboardPage } from './dashboard';
import { DevicesPage } from './devices';
import { DoorsPage } from './doors';
import { AdvancedPage } from './advanced';
import { ElevatorPage } from './elevator';
import { EntrancePage } from './entrance';
import { HepPage } from './hep';
import { MediaPage } from './media';
import { ParkingPage } from './parking';
import { PersonsPage } from './persons';
import { SettingsPage } from './settings';
import { TransactionsPage } from './transactions';
import { can, Field, Notice, useAction, type Role } from './ui';
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

/** What a page is given: the operator, navigation, and the rest of its address (`/console/persons/4711` → `4711`). */
export interface PageProps {
  me: Me;
  go: Go;
  sub?: string;
  /** The address's query (`?view=queue`), read again when Back or a link changes it. */
  search: string;
}

const PAGES: Array<{ path: string; label: string; need?: Role; sub?: boolean; view: (p: PageProps) => any }> = [
  { path: 'dashboard', label: 'Dashboard', view: DashboardPage },
  { path: 'persons', label: 'Persons', sub: true, view: PersonsPage },
  { path: 'doors', label: 'Doors', view: DoorsPage },
  { path: 'devices', label: 'Devices', sub: true, view: DevicesPage },
  { path: 'transactions', label: 'Transactions', view: TransactionsPage },
  { path: 'attendance', label: 'Attendance', view: AttendancePage },
  { path: 'elevator', label: 'Elevator', view: ElevatorPage },
  { path: 'entrance', label: 'Entrance control', view: EntrancePage },
  { path: 'hep', label: 'Temperature and mask', view: HepPage },
  { path: 'media', label: 'Media', view: MediaPage },
  { path: 'parking', label: 'Parking', view: ParkingPage },
  { path: 'visitors', label: 'Visitors', view: VisitorsPage },
  { path: 'access', label: 'Access levels', view: CatalogPage },
  { path: 'advanced', label: 'Advanced functions', view: AdvancedPage },
  { path: 'first-open', label: 'First-Person Normally Open', view: FirstOpenPage },
  { path: 'audit', label: 'Audit log', need: 'operator', view: AuditPage },
  { path: 'settings', label: 'Settings', view: SettingsPage },
];

/**
 * The page the address names: `/console` is the dashboard; `/console/persons/4711` (a bookmark, a reload) the
 * Persons page with person 4711 open, and `/console/devices/SN` a device's convergence; an address naming no page
 * (or a sub-page of a page that has none) is `missing`, shown as such rather than as the dashboard.
 */
function currentRoute(): { page: string; sub?: string; missing?: string; search: string } {
  const search = location.search;
  const rest = location.pathname.replace(/^\/console\/?/, '').replace(/\/+$/, '');
  if (rest === '') return { page: 'dashboard', search };
  const [first, ...more] = rest.split('/');
  const known = PAGES.find((x) => x.path === first);
  if (!known || (more.length > 0 && (!known.sub || more.length > 1))) return { page: '', missing: location.pathname, search };
  let sub: string | undefined;
  try {
    sub = more.length ? decodeURIComponent(more[0]) : undefined;
  } catch {
    return { page: '', missing: location.pathname, search };
  }
  return { page: first, sub, search };
}

/** An address naming no console page: said in words, with the way to the pages, rather than another page shown in its place. */
function NotFound({ path, go }: { path: string; go: Go }) {
  return (
    <>
      <p role="alert" class="notice error">
        There is no console page at {path}. Choose a page from the list, or open the{' '}
        <a href="/console/dashboard" onClick={(e) => go('dashboard', e)}>
          Dashboard
        </a>
        .
      </p>
    </>
  );
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
          <Field required label="Operator name">
            <input name="name" autocomplete="username" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          <Field required label="Password">
            <input name="password" type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
          </Field>
          {needCode && (
            <Field required label="One-time code">
              <input name="code" inputMode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" value={code} onInput={(e) => setCode(e.currentTarget.value)} autofocus />
            </Field>
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

/** The gateway's code for a request without a live session (CvCode.Unauthorized). */
const UNAUTHORIZED = -401;

function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [ended, setEnded] = useState<string | undefined>();
  const [checkError, setCheckError] = useState<unknown>();
  // A session that ended while signed in: the sign-in form over the page, which keeps what was typed (unsaved) for
  // the same operator signing in again; another operator gets a fresh console.
  const [suspended, setSuspended] = useState(false);
  // A sign-out the gateway did not confirm: said at the top of the page, the operator still signed in.
  const [signOutError, setSignOutError] = useState<unknown>();
  const signedIn = useRef(false);
  signedIn.current = !!me;
  const [route, setRoute] = useState(currentRoute());
  const page = route.page;
  useEffect(() => {
    // A call that finds the session ended says so on the sign-in form: nothing of what was being done was saved.
    whenSignedOut(() => {
      // Only a session that was open has ended: the first check of a page opened signed out is no news.
      if (signedIn.current) {
        setEnded('Your session has ended (after a time without activity, a sign-out elsewhere, or a change to your account): sign in again. What you were doing was not saved; it is kept on the page for you to save once signed in again.');
        setSuspended(true);
      } else setMe(null);
    });
    checkSession();
    const onPop = () => setRoute(currentRoute());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  /**
   * Who is signed in. Only the gateway's "not signed in" (401) means the sign-in form: a session check that got no
   * answer, or the database's -503, says so and is tried again (every 5 s, or Try again), the session untouched.
   */
  function checkSession() {
    setCheckError(undefined);
    api('GET', 'session').then(
      (s) => (setCsrf(s.csrfToken), setMe({ ...s.operator, timeZone: s.timeZone })),
      (e) => (e instanceof ApiError && e.code === UNAUTHORIZED ? setMe(null) : setCheckError(e)),
    );
  }
  useEffect(() => {
    if (!checkError) return;
    const retry = setTimeout(checkSession, 5000);
    return () => clearTimeout(retry);
  }, [checkError]);
  function go(path: string, e?: Event) {
    e?.preventDefault();
    const before = currentRoute().page;
    history.pushState(null, '', `/console/${path}`);
    const next = currentRoute();
    setRoute(next);
    // A new page takes the focus to its content; opening an item within the page (a person) leaves it where it is.
    if (next.page !== before) document.getElementById('main')?.focus();
  }
  async function logout() {
    signedIn.current = false; // a call still on its way is refused now: no "session ended" for a sign-out
    try {
      await api('POST', 'session/logout');
    } catch (e) {
      // A session already ended (401) is signed out all the same. Any other failure (no answer, the database down)
      // leaves the session standing: the sign-in form would tell the operator they had signed out while whoever
      // next uses this browser is still signed in as them.
      if (!(e instanceof ApiError && e.status === 401)) {
        signedIn.current = true;
        setSignOutError(e);
        return;
      }
    }
    setSignOutError(undefined);
    setSuspended(false);
    setMe(null);
  }
  // A sign-out that failed is tried again by itself every 5 s until the gateway confirms it: an operator who pressed
  // Sign out during a database outage and walked away is signed out once it answers, not left signed in until the
  // session idles out.
  useEffect(() => {
    if (!signOutError) return;
    const retry = setTimeout(logout, 5000);
    return () => clearTimeout(retry);
  }, [signOutError]);
  if (me === undefined && checkError)
    return (
      <main class="content">
        <h1>Gateway console</h1>
        <p role="alert" class="notice error">
          Could not check your session: {errorText(checkError)}. You were not signed out; the console tries again every few seconds.
        </p>
        <button type="button" class="secondary" onClick={checkSession}>
          Try again
        </button>
      </main>
    );
  if (me === undefined) return <p aria-busy="true">Loading…</p>;
  if (me === null) return <Login ended={ended} onIn={(m, csrf) => (setCsrf(csrf), setEnded(undefined), setMe(m))} />;
  const known = PAGES.find((p) => p.path === page);
  const current = known && (!known.need || can(me.role, known.need)) ? known : undefined;
  const signInAgain = suspended && (
    <div class="session-ended">
      <Login
        ended={ended}
        onIn={(m, csrf) => {
          setCsrf(csrf);
          setEnded(undefined);
          setSuspended(false);
          // The same operator carries on where they were; another one's console starts afresh (the page keyed by name).
          setMe({ ...m, timeZone: m.timeZone ?? me.timeZone });
        }}
      />
    </div>
  );
  return (
    <>
    {signInAgain}
    <div class="shell" inert={suspended} aria-hidden={suspended ? 'true' : undefined} key={me.name}>
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
        {signOutError && (
          <p role="alert" class="notice error">
            Could not sign out: {errorText(signOutError)}. You are still signed in; the console tries again every few seconds: stay until the sign-in form shows, or sign out again.
          </p>
        )}
        {current ? (
          <>
            <h1>{current.label}</h1>
            <PageBoundary key={page}>
              <current.view me={me} go={go} sub={route.sub} search={route.search} />
            </PageBoundary>
          </>
        ) : known ? (
          <>
            <h1>{known.label}</h1>
            <p role="alert" class="notice error">
              The {known.label} page is for {known.need === 'admin' ? 'administrators' : 'operators and administrators'}; you are signed in as {me.role}.
            </p>
          </>
        ) : (
          <>
            <h1>Page not found</h1>
            <NotFound path={route.missing ?? location.pathname} go={go} />
          </>
        )}
      </main>
    </div>
    </>
  );
}

render(<App />, document.getElementById('app')!);
