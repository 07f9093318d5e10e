/**
 * Past searches: an investigator's own, or the whole org's for its admins and auditors. Each row
 * opens the answer as it was given, for as long as the org's retention keeps it.
 */
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { EP } from '../api/endpoints.js';
import type { SearchHistoryPage, SearchSummary, SessionUser, UserRow } from '../api/types.js';
import { ErrorMessage, formatSimilarity, formatTime } from '../components/common.js';
import { useResource, useTitle } from '../hooks.js';
import { subjectNamer } from '../subjects.js';

export function HistoryPage({ user }: { user: SessionUser }) {
  useTitle('History');
  const orgWide = !user.roles.includes('investigator');
  const [filter, setFilter] = useState('');
  const [applied, setApplied] = useState('');
  const [more, setMore] = useState<SearchSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [moreError, setMoreError] = useState<unknown>(null);
  const first = useResource(
    async (signal) => {
      const page = await api.get<SearchHistoryPage>(
        '/api/v1/searches',
        { caseNumber: applied, limit: 50 },
        signal,
      );
      setMore([]);
      setCursor(page.nextCursor);
      return page;
    },
    [applied],
  );

  const rows = [...(first.data?.items ?? []), ...more];
  // Org-wide readers see who ran each search: by e-mail where the directory is readable to them.
  const users = useResource(
    (signal) =>
      orgWide
        ? api.get<{ users: UserRow[] }>(EP.users, undefined, signal).catch(() => ({ users: [] }))
        : Promise.resolve({ users: [] }),
    [orgWide],
  );
  const nameOf = subjectNamer(users.data?.users ?? []);

  async function loadMore() {
    if (!cursor) return;
    try {
      const page = await api.get<SearchHistoryPage>('/api/v1/searches', {
        caseNumber: applied,
        limit: 50,
        cursor,
      });
      setMore((m) => [...m, ...page.items]);
      setCursor(page.nextCursor);
    } catch (err) {
      setMoreError(err);
    }
  }

  return (
    <div>
      <div class="spread">
        <h1>{orgWide ? 'Searches in your organisation' : 'Your searches'}</h1>
        <form
          class="row"
          aria-label="Filter by case number"
          onSubmit={(e) => {
            e.preventDefault();
            setApplied(filter.trim());
          }}
        >
          <label class="visually-hidden" for="history-case">
            Case number
          </label>
          <input
            id="history-case"
            type="search"
            placeholder="Filter by case number"
            value={filter}
            onInput={(e) => setFilter(e.currentTarget.value)}
            style={{ width: '16rem' }}
          />
          <button type="submit" class="secondary">
            Filter
          </button>
        </form>
      </div>
      <p class="small muted">
        Results stay available while your organisation’s retention keeps them. Opening one is recorded in the
        audit log.
      </p>
      <ErrorMessage error={first.error} />
      <div class="table-wrap" style={{ minHeight: '8rem' }}>
        <table data-testid="history-table">
          <thead>
            <tr>
              <th>Time</th>
              <th>Case number</th>
              <th>Purpose</th>
              <th>Kind</th>
              {orgWide ? <th>By</th> : null}
              <th class="num">Results</th>
              <th class="num">Top similarity</th>
              <th>
                <span class="visually-hidden">Open</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.searchId} data-testid="history-row">
                <td class="nowrap">{formatTime(s.createdAt, true)}</td>
                <td class="mono">{s.caseNumber}</td>
                <td>{s.purpose}</td>
                <td>{s.kind}</td>
                {orgWide ? <td class="small">{nameOf(s.actor)}</td> : null}
                <td class="num">{s.resultCount}</td>
                <td class="num">{formatSimilarity(s.topSimilarity)}</td>
                <td>
                  <a
                    href={`/searches/${encodeURIComponent(s.searchId)}`}
                    aria-label={`Open search for case ${s.caseNumber}`}
                  >
                    Open
                  </a>
                </td>
              </tr>
            ))}
            {!first.loading && rows.length === 0 ? (
              <tr>
                <td colSpan={8} class="muted">
                  {applied ? 'No searches for this case number.' : 'No searches yet.'}
                </td>
              </tr>
            ) : null}
            {first.loading && rows.length === 0 ? (
              <tr>
                <td colSpan={8} class="muted">
                  Loading…
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <ErrorMessage error={moreError} />
      {cursor ? (
        <p>
          <button type="button" class="secondary" onClick={() => void loadMore()}>
            Show older searches
          </button>
        </p>
      ) : null}
    </div>
  );
}
