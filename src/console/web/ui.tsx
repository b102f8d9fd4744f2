import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from './api';

export type Role = 'admin' | 'operator' | 'viewer';
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
export const can = (role: Role, needed: Role) => RANK[role] >= RANK[needed];

/** A message line: errors are announced to screen readers at once, notices politely. */
export function Notice({ error, ok }: { error?: unknown; ok?: string }) {
  if (error) return <p role="alert" class="notice error">{errorText(error)}</p>;
  if (ok) return <p role="status" class="notice ok">{ok}</p>;
  return null;
}

/** Runs an action, keeping its error or success message and a busy flag for the button. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [ok, setOk] = useState<string>();
  async function run<T>(fn: () => Promise<T>, success?: string | ((r: T) => string)): Promise<T | undefined> {
    setBusy(true);
    setError(undefined);
    setOk(undefined);
    try {
      const r = await fn();
      if (success) setOk(typeof success === 'function' ? success(r) : success);
      return r;
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, ok, run, setError, setOk };
}

/** Loads data on mount and whenever a dependency changes; `reload` fetches again. */
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setError(undefined);
    fn().then(
      (d) => live && setData(d),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}

export function Pager({ page, size, total, onPage }: { page: number; size: number; total: number; onPage: (p: number) => void }) {
  const last = Math.max(1, Math.ceil(total / size));
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" class="secondary outline" disabled={page <= 1} onClick={() => onPage(page - 1)} aria-label="Previous page">
        ‹ Previous
      </button>
      <span aria-live="polite">
        Page {page} of {last} · {total.toLocaleString()} in all
      </span>
      <button type="button" class="secondary outline" disabled={page >= last} onClick={() => onPage(page + 1)} aria-label="Next page">
        Next ›
      </button>
    </nav>
  );
}

/** A modal confirmation: the native <dialog> traps focus and closes on Escape. */
export function Confirm({ open, title, children, confirmLabel, onConfirm, onCancel, danger }: { open: boolean; title: string; children?: ComponentChildren; confirmLabel: string; onConfirm: () => void; onCancel: () => void; danger?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onCancel={(e) => (e.preventDefault(), onCancel())}>
      <article>
        <h3 id="confirm-title">{title}</h3>
        {children}
        <footer>
          <button type="button" class="secondary" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" class={danger ? 'danger' : ''} onClick={onConfirm} autofocus>
            {confirmLabel}
          </button>
        </footer>
      </article>
    </dialog>
  );
}

export function Progress({ label, value, max }: { label: string; value: number; max?: number }) {
  return (
    <div role="status" class="progress">
      <span>{label}</span>
      <progress value={max === undefined ? undefined : value} max={max} aria-label={label} />
    </div>
  );
}

export function Field({ label, children, hint }: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    <label>
      {label}
      {children}
      {hint && <small>{hint}</small>}
    </label>
  );
}

export function Badge({ tone, children }: { tone: 'ok' | 'warn' | 'bad' | 'muted'; children: ComponentChildren }) {
  return <span class={`badge ${tone}`}>{children}</span>;
}
