/**
 * A running ingest, polled until it ends: a progress bar (items settled of the total, when the source
 * can tell), throughput, faces enrolled, duplicates, photos without a face, errors. When it ends, the
 * job report lists the items that enrolled nothing and why.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { EP } from '../api/endpoints.js';
import type { IngestJob, IngestProblem, JobDetail } from '../api/types.js';
import { ErrorMessage } from './common.js';

const POLL_MS = 600;

export function useJobPolling(jobId: string | null): { report: JobDetail | null; error: unknown } {
  const [report, setReport] = useState<JobDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  // Throughput measured here too, for servers that do not report it: items per second between polls.
  const seen = useRef<{ at: number; done: number; rate: number | null }>({ at: 0, done: 0, rate: null });

  useEffect(() => {
    if (!jobId) return;
    let live = true;
    let timer: number | undefined;
    seen.current = { at: performance.now(), done: 0, rate: null };
    setReport(null);
    setError(null);
    const tick = async () => {
      try {
        const next = await api.get<JobDetail>(EP.job(jobId));
        if (!live) return;
        const now = performance.now();
        const s = seen.current;
        const done = next.progress.itemsDone;
        if (done > s.done && now > s.at) {
          s.rate = ((done - s.done) * 1000) / (now - s.at);
          s.at = now;
          s.done = done;
        }
        const rate = next.progress.imagesPerSecond ?? s.rate;
        setReport({ ...next, progress: { ...next.progress, imagesPerSecond: rate } });
        if (next.status === 'running') timer = window.setTimeout(tick, POLL_MS);
      } catch (err) {
        if (live) setError(err);
      }
    };
    void tick();
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [jobId]);

  return { report, error };
}

function Stat({ label, value, testId }: { label: string; value: string | number; testId?: string }) {
  return (
    <div class="stat">
      <span class="v" data-testid={testId}>
        {value}
      </span>
      <span class="k">{label}</span>
    </div>
  );
}

export function JobProgress({ report: job }: { report: JobDetail | IngestJob }) {
  const p = job.progress;
  const finished = job.status !== 'running';
  const total = p.itemsTotal ?? (finished ? p.itemsDone : null);
  const percent =
    total !== null && total > 0
      ? Math.min(100, Math.round((p.itemsDone / total) * 100))
      : finished
        ? 100
        : null;
  const filtered = Object.values(p.facesFiltered).reduce((n, v) => n + v, 0);
  return (
    <div data-testid="job-progress" data-status={job.status}>
      <div class="spread small">
        <span>
          {job.status === 'running' ? 'Ingesting…' : job.status === 'done' ? 'Finished' : 'Stopped'}{' '}
          {total !== null ? `${p.itemsDone} of ${total} items` : `${p.itemsDone} items`}
        </span>
        <strong data-testid="job-percent">{percent === null ? '' : `${percent}%`}</strong>
      </div>
      <div
        class={`progress${job.status === 'done' ? ' done' : ''}`}
        role="progressbar"
        aria-label="Ingest progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent ?? undefined}
        aria-valuetext={percent === null ? `${p.itemsDone} items so far` : `${percent}%`}
      >
        <div style={{ width: `${percent ?? 5}%` }} />
      </div>
      <div class="stats">
        <Stat
          label="images / s"
          value={p.imagesPerSecond === null ? '—' : p.imagesPerSecond.toFixed(1)}
          testId="job-rate"
        />
        <Stat label="images enrolled" value={p.imagesEnrolled} testId="job-images" />
        <Stat label="faces enrolled" value={p.facesEnrolled} testId="job-faces" />
        <Stat label="duplicates" value={p.duplicates} />
        <Stat label="no face" value={p.noFace} />
        <Stat label="errors" value={p.errors} testId="job-errors" />
        <Stat label="faces filtered (quality)" value={filtered} />
        <Stat label="suppressed (opt-out)" value={p.suppressed} />
      </div>
      {job.failure ? (
        <div class="message error" role="alert" style={{ marginTop: '0.75rem' }}>
          <strong>The ingest stopped</strong>
          {job.failure}
        </div>
      ) : null}
    </div>
  );
}

export function JobReportTable({ problems }: { problems: readonly IngestProblem[] }) {
  if (problems.length === 0) return <p class="small muted">Every item enrolled at least one face.</p>;
  return (
    <div class="table-wrap">
      <table data-testid="job-problems">
        <thead>
          <tr>
            <th>Item</th>
            <th>Outcome</th>
            <th>Why</th>
          </tr>
        </thead>
        <tbody>
          {problems.map((p) => (
            <tr key={p.itemKey}>
              <td class="mono small">{p.location || p.itemKey}</td>
              <td>
                <span class={`tag ${p.outcome === 'error' ? 'bad' : 'warn'}`}>
                  {p.outcome.replace('_', ' ')}
                </span>
              </td>
              <td class="small">{p.errorMessage ?? p.errorCode ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function LiveJob({ jobId, onFinished }: { jobId: string; onFinished?: () => void }) {
  const { report, error } = useJobPolling(jobId);
  const status = report?.status;
  const finishedRef = useRef(onFinished);
  finishedRef.current = onFinished;
  useEffect(() => {
    if (status && status !== 'running') finishedRef.current?.();
  }, [status]);
  return (
    <div class="panel" aria-live="polite">
      <h3>Ingest job</h3>
      <ErrorMessage error={error} />
      {report ? <JobProgress report={report} /> : <p class="muted small">Starting…</p>}
      {report && report.status !== 'running' ? (
        <div style={{ marginTop: '1rem' }}>
          <h3>Job report</h3>
          <JobReportTable problems={report.problems} />
        </div>
      ) : null}
    </div>
  );
}
