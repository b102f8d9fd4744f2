import { useState } from 'preact/hooks';
import { api } from './api';
import { Field, useAction, useLoad } from './ui';

export const persons = (n: number) => `${n} ${n === 1 ? 'person' : 'persons'}`;

/**
 * What joining a level did, counted by the server: those who were members already are not "added", and nothing
 * reaches the devices when no one joined. `receivers`: who receives them ("the level's panels", "its controllers").
 */
export function joinedText(added: number, already: number, level: string, of = '', receivers = "the level's panels"): string {
  if (added === 0) return `No one${of} added to ${level}: ${already} already members`;
  return `${persons(added)}${of} added to ${level}; ${receivers} receive them${already ? ` (${already} already members)` : ''}`;
}

/**
 * CVSecurity's "Add personnel by department" on a level (access, elevator or entrance-control): the department's active
 * persons, with its sub-departments unless unticked, join the chosen level at once. `path` is the level's console address
 * (catalog/levels/ID, elevator/levels/ID…); its `/departments` call answers how many joined and how many were members.
 */
export function DepartmentToLevel({
  label,
  levels,
  path,
  receivers,
  a,
  onDone,
}: {
  label: string;
  levels: Array<{ id: string; name: string }> | undefined;
  path: (levelId: string) => string;
  receivers?: string;
  a: ReturnType<typeof useAction>;
  onDone: (message: string) => void;
}) {
  const depts = useLoad(() => api<any[]>('GET', 'catalog/departments'));
  const [f, setF] = useState({ levelId: '', deptCode: '', withSub: true });
  async function submit(e: Event) {
    e.preventDefault();
    const level = (levels ?? []).find((l) => l.id === f.levelId)?.name ?? '';
    const dept = (depts.data ?? []).find((d) => d.code === f.deptCode)?.name ?? f.deptCode;
    const r: any = await a.run(() => api('POST', `${path(f.levelId)}/departments`, { deptCode: f.deptCode, withSubDepartments: f.withSub }));
    if (r !== undefined) onDone(joinedText(r.added, r.already, level, ` of ${dept}`, receivers));
  }
  return (
    <form class="row" aria-label={label} onInvalidCapture={a.invalid} onSubmit={submit}>
      <Field required label="Level for the department">
        <select name="deptLevelId" value={f.levelId} onChange={(e) => setF({ ...f, levelId: e.currentTarget.value })}>
          <option value="" disabled>
            choose
          </option>
          {(levels ?? []).map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
      </Field>
      <Field required label="Department">
        <select name="deptCode" value={f.deptCode} onChange={(e) => setF({ ...f, deptCode: e.currentTarget.value })}>
          <option value="" disabled>
            choose
          </option>
          {(depts.data ?? []).map((d) => (
            <option key={d.code} value={d.code}>
              {`${d.name} (${d.code})`}
            </option>
          ))}
        </select>
      </Field>
      <label>
        <input type="checkbox" name="withSub" checked={f.withSub} onChange={(e) => setF({ ...f, withSub: e.currentTarget.checked })} />
        With its sub-departments
      </label>
      <button type="submit">Add department</button>
    </form>
  );
}
