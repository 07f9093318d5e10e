/**
 * An org-admin's own organisation: users (roles, MFA, lockouts and unlock), API keys (the token shown
 * once), search quotas, and how many searches each user and key ran. Nothing here reaches another org:
 * the server scopes every call to the caller's org.
 */
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { EP } from '../api/endpoints.js';
import type {
  ApiKeyRow,
  Counts,
  Limits,
  QuotaSettings,
  Role,
  SessionUser,
  SetupIssued,
  UserRow,
} from '../api/types.js';
import { ErrorMessage, formatTime, Message } from '../components/common.js';
import { SecretOnce, SetupLinkOnce } from '../components/secret-once.js';
import { Tabs } from '../components/tabs.js';
import { useResource, useTitle } from '../hooks.js';
import { subjectNamer } from '../subjects.js';
import { OrgSettingsTab } from './org-settings-tab.js';

const ORG_ROLES: readonly Role[] = ['org-admin', 'investigator', 'auditor'];

type Tab = 'users' | 'keys' | 'quotas' | 'counts' | 'settings';
const TABS: readonly [Tab, string][] = [
  ['users', 'Users'],
  ['keys', 'API keys'],
  ['quotas', 'Quotas'],
  ['counts', 'Search counts'],
  ['settings', 'Settings'],
];

function RoleChecks({
  value,
  onChange,
  idPrefix,
}: {
  value: readonly Role[];
  onChange: (roles: Role[]) => void;
  idPrefix: string;
}) {
  return (
    <div class="row">
      {ORG_ROLES.map((r) => (
        <label key={r} class="row" style={{ gap: '0.3rem' }} for={`${idPrefix}-${r}`}>
          <input
            id={`${idPrefix}-${r}`}
            type="checkbox"
            checked={value.includes(r)}
            onChange={(e) => onChange(e.currentTarget.checked ? [...value, r] : value.filter((x) => x !== r))}
          />
          {r}
        </label>
      ))}
    </div>
  );
}

function CreateUser({ onCreated }: { onCreated: () => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [roles, setRoles] = useState<Role[]>(['investigator']);
  const [issued, setIssued] = useState<SetupIssued | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="panel"
      aria-label="Add a user"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        api
          .post<SetupIssued & { user: UserRow }>(EP.users, {
            email: email.trim(),
            name: name.trim() || null,
            roles,
          })
          .then((r) => {
            setIssued(r);
            setEmail('');
            setName('');
            onCreated();
          })
          .catch(setError)
          .finally(() => setBusy(false));
      }}
    >
      <h2>Add a user</h2>
      <ErrorMessage error={error} />
      {issued ? (
        <SetupLinkOnce title="Setup link for the new user" link={issued.setupLink} testId="setup-link" />
      ) : null}
      <div class="field">
        <label for="new-user-email">E-mail</label>
        <input
          id="new-user-email"
          type="email"
          required
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="new-user-name">Name (optional)</label>
        <input id="new-user-name" type="text" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </div>
      <fieldset>
        <legend>Roles</legend>
        <RoleChecks value={roles} onChange={setRoles} idPrefix="new-user-role" />
        <p class="small muted" style={{ margin: '0.3rem 0 0' }}>
          An auditor cannot also be an investigator. Admins must use a second factor.
        </p>
      </fieldset>
      <button type="submit" disabled={busy || roles.length === 0}>
        {busy ? 'Adding…' : 'Add user'}
      </button>
    </form>
  );
}

/**
 * A new setup link for a user who lost their password (and, ticked, their second factor): their
 * sessions and password stop working; the link, shown once, lets them set new ones.
 */
function ResetCredentials({ u, onDone }: { u: UserRow; onDone: (note: string) => void }) {
  const [open, setOpen] = useState(false);
  const [resetMfa, setResetMfa] = useState(false);
  const [issued, setIssued] = useState<SetupIssued | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (issued)
    return (
      <SetupLinkOnce title={`New setup link for ${u.email}`} link={issued.setupLink} testId="reset-link" />
    );
  if (!open)
    return (
      <button type="button" class="secondary small" onClick={() => setOpen(true)}>
        Reset sign-in…
      </button>
    );
  return (
    <form
      class="stack"
      aria-label={`Reset the sign-in of ${u.email}`}
      onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        api
          .post<SetupIssued>(`${EP.user(u.id)}/reset`, { resetMfa })
          .then((r) => {
            setIssued(r);
            onDone(`Reset the sign-in of ${u.email}: hand them the link.`);
          })
          .catch(setError);
      }}
    >
      <p class="small" style={{ margin: 0 }}>
        Their password stops working and they are signed out everywhere.
      </p>
      <label class="row small" style={{ gap: '0.3rem' }}>
        <input type="checkbox" checked={resetMfa} onChange={(e) => setResetMfa(e.currentTarget.checked)} />
        Also remove their second factor (lost phone)
      </label>
      <ErrorMessage error={error} />
      <div class="row">
        <button type="submit" class="danger small">
          Reset
        </button>
        <button type="button" class="secondary small" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function UserActions({ u, self, onDone }: { u: UserRow; self: boolean; onDone: (note: string) => void }) {
  const [error, setError] = useState<unknown>(null);
  const [editing, setEditing] = useState(false);
  const [roles, setRoles] = useState<Role[]>(u.roles);
  const act = (work: () => Promise<unknown>, note: string) => {
    setError(null);
    work()
      .then(() => onDone(note))
      .catch(setError);
  };
  return (
    <div class="stack">
      <div class="row">
        {u.lockedUntil ? (
          <button
            type="button"
            class="small"
            onClick={() => act(() => api.post(EP.userUnlock(u.id)), `Unlocked ${u.email}.`)}
          >
            Unlock
          </button>
        ) : null}
        {!self ? (
          u.status === 'active' ? (
            <button
              type="button"
              class="danger small"
              onClick={() => act(() => api.post(`${EP.user(u.id)}/disable`), `Disabled ${u.email}.`)}
            >
              Disable
            </button>
          ) : (
            <button
              type="button"
              class="secondary small"
              onClick={() => act(() => api.post(`${EP.user(u.id)}/enable`), `Enabled ${u.email}.`)}
            >
              Enable
            </button>
          )
        ) : null}
        {!self ? (
          <button
            type="button"
            class="secondary small"
            aria-expanded={editing}
            onClick={() => setEditing(!editing)}
          >
            Roles…
          </button>
        ) : null}
      </div>
      {!self ? <ResetCredentials u={u} onDone={onDone} /> : null}
      {editing ? (
        <form
          class="stack"
          aria-label={`Roles of ${u.email}`}
          onSubmit={(e) => {
            e.preventDefault();
            act(() => api.put(`${EP.user(u.id)}/roles`, { roles }), `Changed the roles of ${u.email}.`);
            setEditing(false);
          }}
        >
          <RoleChecks value={roles} onChange={setRoles} idPrefix={`roles-${u.id}`} />
          <button type="submit" class="small" disabled={roles.length === 0}>
            Save roles
          </button>
        </form>
      ) : null}
      <ErrorMessage error={error} />
    </div>
  );
}

function UsersTab({ me }: { me: SessionUser }) {
  const users = useResource((signal) => api.get<{ users: UserRow[] }>(EP.users, undefined, signal), []);
  const [note, setNote] = useState<string | null>(null);
  const done = (n: string) => {
    setNote(n);
    users.reload();
  };
  return (
    <div class="grid-2" style={{ gridTemplateColumns: 'minmax(0, 2fr) minmax(280px, 1fr)' }}>
      <div>
        {note ? <Message kind="ok">{note}</Message> : null}
        <ErrorMessage error={users.error} />
        <div class="table-wrap">
          <table data-testid="users-table">
            <thead>
              <tr>
                <th>User</th>
                <th>Roles</th>
                <th>MFA</th>
                <th>Status</th>
                <th>Last sign-in</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {(users.data?.users ?? []).map((u) => (
                <tr key={u.id} data-testid="user-row" data-email={u.email}>
                  <td>
                    <div>{u.name ?? '—'}</div>
                    <div class="small muted">{u.email}</div>
                  </td>
                  <td>
                    {u.roles.map((r) => (
                      <span key={r} class="tag">
                        {r}
                      </span>
                    ))}
                  </td>
                  <td>
                    {u.mfaEnrolled ? <span class="tag ok">enrolled</span> : <span class="tag">none</span>}
                  </td>
                  <td>
                    {u.status === 'disabled' ? (
                      <span class="tag bad">disabled</span>
                    ) : (
                      <span class="tag ok">active</span>
                    )}
                    {u.setupPending ? <span class="tag warn">setup pending</span> : null}
                    {u.lockedUntil ? (
                      <div class="small" data-testid="locked">
                        <span class="tag bad">locked</span> until {formatTime(u.lockedUntil)}
                      </div>
                    ) : u.failedAttempts > 0 ? (
                      <div class="small muted">{u.failedAttempts} failed sign-in(s)</div>
                    ) : null}
                  </td>
                  <td class="small">{formatTime(u.lastLoginAt)}</td>
                  <td>
                    <UserActions u={u} self={u.id === me.id} onDone={done} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <CreateUser onCreated={users.reload} />
    </div>
  );
}

function KeysTab() {
  const keys = useResource((signal) => api.get<{ keys: ApiKeyRow[] }>(EP.apiKeys, undefined, signal), []);
  const [role, setRole] = useState<'investigator' | 'auditor'>('investigator');
  const [label, setLabel] = useState('');
  const [days, setDays] = useState('90');
  const [token, setToken] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  return (
    <div class="grid-2" style={{ gridTemplateColumns: 'minmax(0, 2fr) minmax(280px, 1fr)' }}>
      <div>
        {token ? <SecretOnce title="New API key" value={token} testId="api-key-token" /> : null}
        <ErrorMessage error={keys.error ?? error} />
        <div class="table-wrap">
          <table data-testid="keys-table">
            <thead>
              <tr>
                <th>Label</th>
                <th>Role</th>
                <th>Status</th>
                <th>Created</th>
                <th>Expires</th>
                <th>Last used</th>
                <th>
                  <span class="visually-hidden">Revoke</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(keys.data?.keys ?? []).map((k) => (
                <tr key={k.id}>
                  <td>{k.label ?? <span class="muted">—</span>}</td>
                  <td>{k.role}</td>
                  <td>
                    <span class={`tag ${k.status === 'active' ? 'ok' : 'bad'}`}>{k.status}</span>
                  </td>
                  <td class="small">{formatTime(k.createdAt)}</td>
                  <td class="small">{formatTime(k.expiresAt)}</td>
                  <td class="small">{formatTime(k.lastUsedAt)}</td>
                  <td>
                    {k.status === 'active' ? (
                      <button
                        type="button"
                        class="danger small"
                        onClick={() => {
                          setError(null);
                          api.del(EP.apiKey(k.id)).then(keys.reload).catch(setError);
                        }}
                      >
                        Revoke
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <form
        class="panel"
        aria-label="Create an API key"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          api
            .post<{ token: string }>(EP.apiKeys, {
              role,
              label: label.trim() || null,
              ...(days ? { expiresInDays: Number(days) } : {}),
            })
            .then((r) => {
              setToken(r.token);
              setLabel('');
              keys.reload();
            })
            .catch(setError);
        }}
      >
        <h2>New API key</h2>
        <div class="field">
          <label for="key-role">Role</label>
          <select id="key-role" value={role} onChange={(e) => setRole(e.currentTarget.value as typeof role)}>
            <option value="investigator">investigator (searches)</option>
            <option value="auditor">auditor (reads the audit log)</option>
          </select>
        </div>
        <div class="field">
          <label for="key-label">Label</label>
          <input
            id="key-label"
            type="text"
            maxLength={200}
            value={label}
            onInput={(e) => setLabel(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="key-days">Expires after (days)</label>
          <input
            id="key-days"
            type="number"
            min={1}
            max={365}
            value={days}
            onInput={(e) => setDays(e.currentTarget.value)}
          />
        </div>
        <button type="submit">Create key</button>
      </form>
    </div>
  );
}

function limitText(l: Limits): string {
  const part = (v: number | null, unit: string) => (v === null ? `no cap / ${unit}` : `${v} / ${unit}`);
  return `${part(l.perMinute, 'min')}, ${part(l.perDay, 'day')}`;
}

function numOrNull(text: string): number | null {
  const t = text.trim();
  return t === '' ? null : Number(t);
}

function QuotasTab() {
  const quotas = useResource((signal) => api.get<QuotaSettings>(EP.quotas, undefined, signal), []);
  const users = useResource((signal) => api.get<{ users: UserRow[] }>(EP.users, undefined, signal), []);
  const [perMinute, setPerMinute] = useState<string | null>(null);
  const [perDay, setPerDay] = useState<string | null>(null);
  const [subject, setSubject] = useState('');
  const [oMinute, setOMinute] = useState('');
  const [oDay, setODay] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState<string | null>(null);
  const q = quotas.data;
  const nameOf = subjectNamer(users.data?.users ?? []);

  const save = (body: unknown, what: string) => {
    setError(null);
    api
      .put<QuotaSettings>(EP.quotas, body)
      .then(() => {
        setNote(what);
        quotas.reload();
      })
      .catch(setError);
  };

  return (
    <div class="stack">
      <ErrorMessage error={quotas.error ?? error} />
      {note ? <Message kind="ok">{note}</Message> : null}
      {q ? (
        <div class="grid-2">
          <div class="panel">
            <h2>Organisation</h2>
            <p>
              Ceiling (set by the platform): <strong>{limitText(q.org)}</strong>
            </p>
            <form
              aria-label="Per-user default"
              onSubmit={(e) => {
                e.preventDefault();
                save(
                  {
                    userDefault: {
                      perMinute: numOrNull(perMinute ?? String(q.userDefault.perMinute ?? '')),
                      perDay: numOrNull(perDay ?? String(q.userDefault.perDay ?? '')),
                    },
                  },
                  'Saved the per-user default.',
                );
              }}
            >
              <h3>Per-user default</h3>
              <div class="row">
                <div class="field">
                  <label for="q-minute">Searches per minute</label>
                  <input
                    id="q-minute"
                    type="number"
                    min={0}
                    placeholder="no cap"
                    value={perMinute ?? String(q.userDefault.perMinute ?? '')}
                    onInput={(e) => setPerMinute(e.currentTarget.value)}
                  />
                </div>
                <div class="field">
                  <label for="q-day">Searches per day</label>
                  <input
                    id="q-day"
                    type="number"
                    min={0}
                    placeholder="no cap"
                    value={perDay ?? String(q.userDefault.perDay ?? '')}
                    onInput={(e) => setPerDay(e.currentTarget.value)}
                  />
                </div>
              </div>
              <button type="submit">Save default</button>
            </form>
          </div>
          <div class="panel">
            <h2>Overrides</h2>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th>User or key</th>
                    <th>Limits</th>
                    <th>
                      <span class="visually-hidden">Remove</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {q.overrides.map((o) => (
                    <tr key={o.subject}>
                      <td>{nameOf(o.subject)}</td>
                      <td>{limitText(o.limits)}</td>
                      <td>
                        <button
                          type="button"
                          class="link"
                          onClick={() =>
                            save(
                              { overrides: [{ subject: o.subject, limits: null }] },
                              'Removed the override.',
                            )
                          }
                        >
                          Remove
                        </button>
                      </td>
                    </tr>
                  ))}
                  {q.overrides.length === 0 ? (
                    <tr>
                      <td colSpan={3} class="muted">
                        Everyone has the default.
                      </td>
                    </tr>
                  ) : null}
                </tbody>
              </table>
            </div>
            <form
              style={{ marginTop: '1rem' }}
              aria-label="Add an override"
              onSubmit={(e) => {
                e.preventDefault();
                if (!subject) return;
                save(
                  {
                    overrides: [
                      { subject, limits: { perMinute: numOrNull(oMinute), perDay: numOrNull(oDay) } },
                    ],
                  },
                  'Saved the override.',
                );
              }}
            >
              <div class="field">
                <label for="o-subject">User</label>
                <select id="o-subject" value={subject} onChange={(e) => setSubject(e.currentTarget.value)}>
                  <option value="">— choose —</option>
                  {(users.data?.users ?? []).map((u) => (
                    <option key={u.id} value={`user:${u.id}`}>
                      {u.email}
                    </option>
                  ))}
                </select>
              </div>
              <div class="row">
                <div class="field">
                  <label for="o-minute">Per minute</label>
                  <input
                    id="o-minute"
                    type="number"
                    min={0}
                    placeholder="no cap"
                    value={oMinute}
                    onInput={(e) => setOMinute(e.currentTarget.value)}
                  />
                </div>
                <div class="field">
                  <label for="o-day">Per day</label>
                  <input
                    id="o-day"
                    type="number"
                    min={0}
                    placeholder="no cap"
                    value={oDay}
                    onInput={(e) => setODay(e.currentTarget.value)}
                  />
                </div>
              </div>
              <button type="submit" class="secondary" disabled={!subject}>
                Save override
              </button>
            </form>
          </div>
        </div>
      ) : null}
    </div>
  );
}

export function CountsView({ canNameUsers }: { canNameUsers: boolean }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [range, setRange] = useState<{ from: string; to: string }>({ from: '', to: '' });
  const counts = useResource((signal) => api.get<Counts>(EP.counts, range, signal), [range.from, range.to]);
  const users = useResource(
    (signal) =>
      canNameUsers
        ? api.get<{ users: UserRow[] }>(EP.users, undefined, signal)
        : Promise.resolve({ users: [] }),
    [canNameUsers],
  );
  const nameOf = subjectNamer(users.data?.users ?? []);
  const perSubject = new Map<string, number>();
  for (const row of counts.data?.bySubject ?? [])
    perSubject.set(row.subject, (perSubject.get(row.subject) ?? 0) + row.count);
  const total = (counts.data?.totals ?? []).reduce((n, r) => n + r.count, 0);
  return (
    <div class="stack">
      <form
        class="row"
        aria-label="Days to count"
        onSubmit={(e) => {
          e.preventDefault();
          setRange({ from, to });
        }}
      >
        <label for="counts-from">From</label>
        <input
          id="counts-from"
          type="date"
          value={from}
          onInput={(e) => setFrom(e.currentTarget.value)}
          style={{ width: 'auto' }}
        />
        <label for="counts-to">To</label>
        <input
          id="counts-to"
          type="date"
          value={to}
          onInput={(e) => setTo(e.currentTarget.value)}
          style={{ width: 'auto' }}
        />
        <button type="submit" class="secondary">
          Show
        </button>
      </form>
      <ErrorMessage error={counts.error} />
      <div class="grid-2">
        <div class="table-wrap">
          <table data-testid="counts-table">
            <thead>
              <tr>
                <th>User or key</th>
                <th class="num">Searches</th>
              </tr>
            </thead>
            <tbody>
              {[...perSubject.entries()]
                .sort((a, b) => b[1] - a[1])
                .map(([subject, n]) => (
                  <tr key={subject} data-testid="count-row">
                    <td>{nameOf(subject)}</td>
                    <td class="num">{n}</td>
                  </tr>
                ))}
              {counts.data && perSubject.size === 0 ? (
                <tr>
                  <td colSpan={2} class="muted">
                    No searches in this period.
                  </td>
                </tr>
              ) : null}
            </tbody>
            <tfoot>
              <tr>
                <th>Total</th>
                <th class="num">{total}</th>
              </tr>
            </tfoot>
          </table>
        </div>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Day (UTC)</th>
                <th class="num">Searches</th>
              </tr>
            </thead>
            <tbody>
              {(counts.data?.totals ?? []).map((r) => (
                <tr key={r.day}>
                  <td>{r.day}</td>
                  <td class="num">{r.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}

export function AdminPage({ user }: { user: SessionUser }) {
  useTitle('Admin');
  const [tab, setTab] = useState<Tab>('users');
  return (
    <div>
      <h1>Organisation admin</h1>
      <Tabs tabs={TABS} value={tab} onChange={setTab} label="Admin sections" idPrefix="admin">
        {tab === 'users' ? <UsersTab me={user} /> : null}
        {tab === 'keys' ? <KeysTab /> : null}
        {tab === 'quotas' ? <QuotasTab /> : null}
        {tab === 'counts' ? <CountsView canNameUsers /> : null}
        {tab === 'settings' ? <OrgSettingsTab /> : null}
      </Tabs>
    </div>
  );
}
