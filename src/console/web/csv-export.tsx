import { useState } from 'preact/hooks';
import { exportCsv } from './api';
import { Notice, Progress, useAction } from './ui';

/** The Export CSV button with its progress bar and outcome, for a filtered console list. */
export function CsvExport({ path, fileName, params, what }: { path: string; fileName: string; params: Record<string, unknown>; what: string }) {
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  // Its outcome is the page's latest action's message: a later action elsewhere on the page replaces it.
  const a = useAction();
  async function run() {
    setProgress({ done: 0, total: 0 });
    try {
      await a.run(
        () => exportCsv(path, fileName, params, (d, t) => setProgress({ done: d, total: t })),
        (total) => `Exported ${total.toLocaleString()} ${what} to ${fileName}`,
      );
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
        <Notice error={a.error} ok={a.ok} />
      </div>
    </>
  );
}
