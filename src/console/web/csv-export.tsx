import { useState } from 'preact/hooks';
import { exportCsv } from './api';
import { Notice, Progress } from './ui';

/** The Export CSV button with its progress bar and outcome, for a filtered console list. */
export function CsvExport({ path, fileName, params, what }: { path: string; fileName: string; params: Record<string, unknown>; what: string }) {
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  async function run() {
    setError(undefined);
    setDone(undefined);
    setProgress({ done: 0, total: 0 });
    try {
      const total = await exportCsv(path, fileName, params, (d, t) => setProgress({ done: d, total: t }));
      setDone(`Exported ${total.toLocaleString()} ${what} to ${fileName}`);
    } catch (e) {
      setError(e);
    } finally {
      setProgress(null);
    }
  }
  return (
    <>
      <button type="button" class="secondary" onClick={run} disabled={!!progress}>
        Export CSV
      </button>
      <div class="export-state">
        {progress && <Progress label={progress.total ? `Exporting ${progress.done.toLocaleString()} of ${progress.total.toLocaleString()} ${what}` : 'Preparing the export…'} value={progress.done} max={progress.total || undefined} />}
        <Notice error={error} ok={done} />
      </div>
    </>
  );
}
