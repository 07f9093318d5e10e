/**
 * The auditor's view of the org: the hash-chained audit log with filters and a JSONL export, the
 * chain's verification, the unusual-use alerts and the search counts. A platform-admin sees the
 * platform's own entries and verifies the whole log (positions only, never an org's details).
 */
import { useState } from 'preact/hooks';
import { AUDIT_EVENT_TYPES } from '../../../audit/audit-event-types.js';
import { api, withQuery } from '../api/client.js';
import { EP } from '../api/endpoints.js';
import type { Answer, AuditEntry, SessionUser, UserRow, VerifyReport } from '../api/types.js';
import { ErrorMessage, formatTime, Message } from '../components/common.js';
import { Tabs } from '../components/tabs.js';
import { useResource, useTitle } from '../hooks.js';
import { subjectNamer } from '../subjects.js';
import { CountsView } from './admin-page.js';

function VerifyPanel() {
  const [tick, setTick] = useState(0);
  const verify = useResource((signal) => api.get<VerifyReport>(EP.auditVerify, undefined, signal), [tick]);
  const r = verify.data;
  return (
    <section class="panel" aria-labelledby="verify-title" aria-live="polite" data-testid="verify-panel">
      <div class="spread">
        <h2 id="verify-title" style={{ margin: 0 }}>
          Chain verification
        </h2>
        <button
          type="button"
          class="secondary small"
          disabled={verify.loading}
          onClick={() => setTick((t) => t + 1)}
        >
          {verify.loading ? 'Verifying…' : 'Verify again'}
        </button>
      </div>
      <div style={{ marginTop: '0.75rem', minHeight: '3.5rem' }}>
        <ErrorMessage error={verify.error} />
        {r?.ok ? (
          <Message kind="ok" title="Intact">
            {r.checked.toLocaleString()} entries checked, every hash link holds
            {r.checkpoints.total > 0
              ? `; ${r.checkpoints.trusted} of ${r.checkpoints.total} signed checkpoints trusted${r.checkpoints.latestSeq !== null ? ` (latest at #${r.checkpoints.latestSeq})` : ''}`
              : ''}
            .
          </Message>
        ) : null}
        {r && !r.ok ? (
          <Message kind="error" title="Tampering detected">
            {r.firstBad?.message ?? 'the chain does not verify'} ({r.checked.toLocaleString()} entries were
            intact before it)
          </Message>
        ) : null}
      </div>
    </section>
  );
}

type AuditPage = Answer<'/api/v1/audit', 'get'>;

interface Filters {
  type: string;
  actor: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { type: '', actor: '', from: '', to: '' };

function isoOrEmpty(local: string): string {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

function queryOf(f: Filters) {
  return {
    type: f.type || undefined,
    actor: f.actor.trim() || undefined,
    from: isoOrEmpty(f.from) || undefined,
    to: isoOrEmpty(f.to) || undefined,
  };
}

const SEALED_TEXT = /^v1\.[1-9][0-9]{0,9}\.[A-Za-z0-9_-]{16,}$/;
const ID_LIKE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9a-f]{40,}$/i;

/** One detail value as a short text: sealed values say so, long ids are cut (the title keeps them whole). */
function shortValue(v: unknown): { text: string; full: string } {
  if (typeof v === 'string') {
    if (SEALED_TEXT.test(v)) return { text: 'sealed', full: 'encrypted under the organisation’s key' };
    if (ID_LIKE.test(v)) return { text: `${v.slice(0, 8)}…`, full: v };
    return { text: v.length > 60 ? `${v.slice(0, 57)}…` : v, full: v };
  }
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
    const parts = v.map((x) => shortValue(x).text);
    return { text: parts.join(', '), full: v.join(', ') };
  }
  const json = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return { text: json.length > 60 ? `${json.slice(0, 57)}…` : json, full: json };
}

function DetailsCell({ entry }: { entry: AuditEntry }) {
  if (!entry.data) return <span class="muted small">sealed</span>;
  const parts = Object.entries(entry.data).filter(([, v]) => v !== null && v !== undefined);
  return (
    <span class="small">
      {parts.map(([k, v]) => {
        const { text, full } = shortValue(v);
        return (
          <span key={k} class="tag" title={full}>
            {k}: {text}
          </span>
        );
      })}
    </span>
  );
}

function LogTab({ nameOf }: { nameOf: (s: string) => string }) {
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [older, setOlder] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [moreError, setMoreError] = useState<unknown>(null);
  const first = useResource(
    async (signal) => {
      const page = await api.get<AuditPage>(EP.audit, { ...queryOf(applied), limit: 100 }, signal);
      setOlder([]);
      setCursor(page.nextCursor);
      return page;
    },
    [applied],
  );
  const rows = [...(first.data?.entries ?? []), ...older];
  const exportUrl = withQuery(EP.auditExport, queryOf(applied));

  const loadMore = () => {
    if (!cursor) return;
    api
      .get<{ entries: AuditEntry[]; nextCursor: string | null }>(EP.audit, {
        ...queryOf(applied),
        limit: 100,
        cursor,
      })
      .then((page) => {
        setOlder((o) => [...o, ...page.entries]);
        setCursor(page.nextCursor);
      })
      .catch(setMoreError);
  };

  return (
    <div class="stack">
      <form
        class="panel filters"
        aria-label="Filter the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(draft);
        }}
      >
        <div class="filter-grid">
          <div class="field">
            <label for="audit-type">Event</label>
            <select
              id="audit-type"
              value={draft.type}
              onChange={(e) => setDraft({ ...draft, type: e.currentTarget.value })}
            >
              <option value="">All events</option>
              {AUDIT_EVENT_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="audit-actor">Actor</label>
            <input
              id="audit-actor"
              type="text"
              placeholder="user:<id>, apikey:<id>, system"
              value={draft.actor}
              onInput={(e) => setDraft({ ...draft, actor: e.currentTarget.value })}
            />
          </div>
          <div class="field">
            <label for="audit-from">From</label>
            <input
              id="audit-from"
              type="datetime-local"
              value={draft.from}
              onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })}
            />
          </div>
          <div class="field">
            <label for="audit-to">To</label>
            <input
              id="audit-to"
              type="datetime-local"
              value={draft.to}
              onInput={(e) => setDraft({ ...draft, to: e.currentTarget.value })}
            />
          </div>
        </div>
        <div class="row">
          <button type="submit">Filter</button>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setDraft(EMPTY);
              setApplied(EMPTY);
            }}
          >
            Clear
          </button>
          <a class="button secondary" href={exportUrl} download="audit.jsonl" data-testid="audit-export">
            Export JSONL
          </a>
        </div>
        <p class="small muted" style={{ margin: '0.5rem 0 0' }}>
          The export holds every stored field, so it can be re-verified outside FaceLedger; exporting is
          itself audited.
        </p>
      </form>
      <ErrorMessage error={first.error} />
      <div class="table-wrap" style={{ minHeight: '10rem' }}>
        <table data-testid="audit-table">
          <thead>
            <tr>
              <th class="num">#</th>
              <th>Time</th>
              <th>Event</th>
              <th>Actor</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.id} data-testid="audit-row" data-type={e.type}>
                <td class="num">{e.orgSeq ?? e.seq}</td>
                <td class="small nowrap">{formatTime(e.at, true)}</td>
                <td>
                  <span class="tag">{e.type}</span>
                </td>
                <td class="small">{nameOf(e.actor)}</td>
                <td>
                  <DetailsCell entry={e} />
                </td>
              </tr>
            ))}
            {first.data && rows.length === 0 ? (
              <tr>
                <td colSpan={5} class="muted">
                  No entries match.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <ErrorMessage error={moreError} />
      {cursor ? (
        <button type="button" class="secondary" onClick={loadMore}>
          Show older entries
        </button>
      ) : null}
    </div>
  );
}

function AlertsTab({ nameOf }: { nameOf: (s: string) => string }) {
  const [status, setStatus] = useState<'open' | 'acknowledged' | 'all'>('open');
  const alerts = useResource(
    async (signal) => (await api.get<Answer<'/api/v1/alerts', 'get'>>(EP.alerts, { status }, signal)).alerts,
    [status],
  );
  const [error, setError] = useState<unknown>(null);
  return (
    <div class="stack">
      <div class="row">
        <label for="alert-status">Show</label>
        <select
          id="alert-status"
          value={status}
          onChange={(e) => setStatus(e.currentTarget.value as typeof status)}
          style={{ width: 'auto' }}
        >
          <option value="open">Open alerts</option>
          <option value="acknowledged">Acknowledged</option>
          <option value="all">All</option>
        </select>
      </div>
      <ErrorMessage error={alerts.error ?? error} />
      <div class="table-wrap">
        <table data-testid="alerts-table">
          <thead>
            <tr>
              <th>Raised</th>
              <th>Kind</th>
              <th>Who / what</th>
              <th>Details</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {(alerts.data ?? []).map((a) => (
              <tr key={a.id}>
                <td class="small nowrap">{formatTime(a.triggeredAt, true)}</td>
                <td>
                  <span class="tag warn">{a.kind}</span>
                </td>
                <td class="small">{nameOf(a.subject)}</td>
                <td class="small">
                  {Object.entries(a.details).map(([k, v]) => (
                    <span key={k} class="tag">
                      {k}: {typeof v === 'object' ? JSON.stringify(v) : String(v)}
                    </span>
                  ))}
                </td>
                <td>
                  {a.acknowledgedAt ? (
                    <span class="small muted">seen {formatTime(a.acknowledgedAt)}</span>
                  ) : (
                    <button
                      type="button"
                      class="secondary small"
                      onClick={() => {
                        setError(null);
                        api.post(EP.alertAck(a.id)).then(alerts.reload).catch(setError);
                      }}
                    >
                      Acknowledge
                    </button>
                  )}
                </td>
              </tr>
            ))}
            {alerts.data && alerts.data.length === 0 ? (
              <tr>
                <td colSpan={5} class="muted">
                  {status === 'open' ? 'No open alerts.' : 'No alerts.'}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </div>
  );
}

type Tab = 'log' | 'alerts' | 'counts';

export function AuditPage({ user }: { user: SessionUser }) {
  useTitle('Audit');
  const orgAuditor = user.roles.includes('auditor');
  const tabs: [Tab, string][] = orgAuditor
    ? [
        ['log', 'Audit log'],
        ['alerts', 'Alerts'],
        ['counts', 'Search counts'],
      ]
    : [['log', 'Audit log']];
  const [tab, setTab] = useState<Tab>('log');
  const users = useResource(
    (signal) => api.get<{ users: UserRow[] }>(EP.users, undefined, signal).catch(() => ({ users: [] })),
    [],
  );
  const nameOf = subjectNamer(users.data?.users ?? []);
  return (
    <div>
      <h1>{orgAuditor ? 'Audit' : 'Platform audit'}</h1>
      <VerifyPanel />
      <Tabs tabs={tabs} value={tab} onChange={setTab} label="Audit sections" idPrefix="audit">
        {tab === 'log' ? <LogTab nameOf={nameOf} /> : null}
        {tab === 'alerts' ? <AlertsTab nameOf={nameOf} /> : null}
        {tab === 'counts' ? <CountsView canNameUsers /> : null}
      </Tabs>
    </div>
  );
}
