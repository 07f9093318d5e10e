/**
 * The platform-admin's console: the client organisations (create, suspend, give an org-admin), the
 * platform's galleries (share with orgs, hand one over) and the review of public opt-out requests. It
 * shows nothing from inside an org — no users, searches or counts — because the API gives it none.
 */
import { useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { EP } from '../api/endpoints.js';
import { fetchGalleries } from '../api/lookups.js';
import type { GalleryInfo, OptOutRequest, OptOutState, OrgRow, SetupIssued } from '../api/types.js';
import { ErrorMessage, formatTime, Message } from '../components/common.js';
import { SetupLinkOnce } from '../components/secret-once.js';
import { Tabs } from '../components/tabs.js';
import { useResource, useTitle } from '../hooks.js';

type Tab = 'orgs' | 'galleries' | 'opt-outs';
const TABS: readonly [Tab, string][] = [
  ['orgs', 'Organisations'],
  ['galleries', 'Platform galleries'],
  ['opt-outs', 'Opt-out review'],
];

/** Runs one change, then reports it (or its error) and reloads what it changed. */
function useAction(reload: () => void) {
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = (work: () => Promise<unknown>, done: string, onDone?: () => void) => {
    setBusy(true);
    setError(null);
    setNote(null);
    work()
      .then(() => {
        setNote(done);
        onDone?.();
        reload();
      })
      .catch(setError)
      .finally(() => setBusy(false));
  };
  return { note, error, busy, run };
}

function CreateOrg({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [person, setPerson] = useState('');
  const [email, setEmail] = useState('');
  const [mfaRequired, setMfaRequired] = useState(true);
  const action = useAction(onCreated);
  return (
    <form
      class="panel"
      aria-label="Create an organisation"
      onSubmit={(e) => {
        e.preventDefault();
        const contact = {
          ...(person.trim() ? { person: person.trim() } : {}),
          ...(email.trim() ? { email: email.trim() } : {}),
        };
        action.run(
          () =>
            api.post(EP.orgs, {
              name: name.trim(),
              contact: Object.keys(contact).length > 0 ? contact : null,
              mfaRequired,
            }),
          `Created ${name.trim()}. Give it an org-admin next.`,
          // Cleared only once created: a refused form keeps what was typed.
          () => {
            setName('');
            setPerson('');
            setEmail('');
          },
        );
      }}
    >
      <h2>New organisation</h2>
      <ErrorMessage error={action.error} />
      {action.note ? <Message kind="ok">{action.note}</Message> : null}
      <div class="field">
        <label for="org-name">Name</label>
        <input
          id="org-name"
          type="text"
          required
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="org-contact-person">Contact person (optional)</label>
        <input
          id="org-contact-person"
          type="text"
          value={person}
          onInput={(e) => setPerson(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="org-contact-email">Contact e-mail (optional)</label>
        <input
          id="org-contact-email"
          type="email"
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
      </div>
      <label class="row" style={{ gap: '0.4rem' }}>
        <input
          type="checkbox"
          id="org-mfa"
          checked={mfaRequired}
          onChange={(e) => setMfaRequired(e.currentTarget.checked)}
        />
        Every member needs a second factor
      </label>
      <button type="submit" disabled={action.busy || !name.trim()}>
        Create organisation
      </button>
    </form>
  );
}

function AddOrgAdmin({ org, onClose }: { org: OrgRow; onClose: () => void }) {
  const [email, setEmail] = useState('');
  const [issued, setIssued] = useState<SetupIssued | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (issued)
    return (
      <div class="stack">
        <SetupLinkOnce
          title={`Setup link for the org-admin of ${org.name}`}
          link={issued.setupLink}
          testId="org-admin-setup-link"
        />
        <button type="button" class="secondary small" onClick={onClose}>
          Done
        </button>
      </div>
    );
  return (
    <form
      class="stack"
      aria-label={`Add an org-admin to ${org.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        setError(null);
        api
          .post<SetupIssued>(EP.orgAdmins(org.id), { email: email.trim(), name: null })
          .then(setIssued)
          .catch(setError);
      }}
    >
      <label for={`admin-email-${org.id}`} class="small">
        E-mail of the new org-admin
      </label>
      <input
        id={`admin-email-${org.id}`}
        type="email"
        required
        value={email}
        onInput={(e) => setEmail(e.currentTarget.value)}
      />
      <ErrorMessage error={error} />
      <div class="row">
        <button type="submit" class="small" disabled={!email.trim()}>
          Create org-admin
        </button>
        <button type="button" class="secondary small" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function OrgsTab() {
  const orgs = useResource((signal) => api.get<{ orgs: OrgRow[] }>(EP.orgs, undefined, signal), []);
  const action = useAction(orgs.reload);
  const [adding, setAdding] = useState<string | null>(null);
  return (
    <div class="grid-2" style={{ gridTemplateColumns: 'minmax(0, 2fr) minmax(280px, 1fr)' }}>
      <div>
        {action.note ? <Message kind="ok">{action.note}</Message> : null}
        <ErrorMessage error={orgs.error ?? action.error} />
        <div class="table-wrap">
          <table data-testid="orgs-table">
            <thead>
              <tr>
                <th>Organisation</th>
                <th>Status</th>
                <th>Second factor</th>
                <th>Created</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {(orgs.data?.orgs ?? []).map((o) => (
                <tr key={o.id} data-testid="org-row" data-name={o.name}>
                  <td>
                    <div>{o.name}</div>
                    <div class="small muted">{o.contact?.person ?? o.contact?.email ?? ''}</div>
                  </td>
                  <td>
                    <span class={`tag ${o.status === 'active' ? 'ok' : 'bad'}`} data-testid="org-status">
                      {o.status}
                    </span>
                  </td>
                  <td>{o.mfaRequired ? 'everyone' : 'admins'}</td>
                  <td class="small">{formatTime(o.createdAt)}</td>
                  <td>
                    {adding === o.id ? (
                      <AddOrgAdmin org={o} onClose={() => setAdding(null)} />
                    ) : (
                      <div class="row">
                        <button type="button" class="secondary small" onClick={() => setAdding(o.id)}>
                          Add org-admin…
                        </button>
                        <button
                          type="button"
                          class={o.status === 'active' ? 'danger small' : 'secondary small'}
                          disabled={action.busy}
                          onClick={() =>
                            action.run(
                              () =>
                                api.patch(EP.orgById(o.id), {
                                  status: o.status === 'active' ? 'suspended' : 'active',
                                }),
                              o.status === 'active'
                                ? `Suspended ${o.name}: its members cannot sign in or search.`
                                : `Reactivated ${o.name}.`,
                            )
                          }
                        >
                          {o.status === 'active' ? 'Suspend' : 'Reactivate'}
                        </button>
                      </div>
                    )}
                  </td>
                </tr>
              ))}
              {orgs.data && orgs.data.orgs.length === 0 ? (
                <tr>
                  <td colSpan={5} class="muted">
                    No organisations yet.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      </div>
      <CreateOrg onCreated={orgs.reload} />
    </div>
  );
}

function GalleryActions({
  gallery,
  orgs,
  run,
  busy,
}: {
  gallery: GalleryInfo;
  orgs: readonly OrgRow[];
  run: (work: () => Promise<unknown>, done: string) => void;
  busy: boolean;
}) {
  const [orgId, setOrgId] = useState('');
  const org = orgs.find((o) => o.id === orgId);
  const shared = gallery.grantedTo ?? [];
  return (
    <div class="stack">
      <div class="row">
        <label class="visually-hidden" for={`org-for-${gallery.id}`}>
          Organisation
        </label>
        <select id={`org-for-${gallery.id}`} value={orgId} onChange={(e) => setOrgId(e.currentTarget.value)}>
          <option value="">— organisation —</option>
          {orgs.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
        <button
          type="button"
          class="small"
          disabled={busy || !org || shared.includes(orgId)}
          onClick={() =>
            org &&
            run(
              () => api.post(EP.galleryGrant(gallery.id, org.id)),
              `Shared ${gallery.name} with ${org.name}.`,
            )
          }
        >
          Share
        </button>
        <button
          type="button"
          class="secondary small"
          disabled={busy || !org || shared.length > 0}
          title={shared.length > 0 ? 'Revoke its shares first' : undefined}
          onClick={() =>
            org &&
            run(
              () => api.put(EP.galleryOwner(gallery.id), { orgId: org.id }),
              `Handed ${gallery.name} over to ${org.name}; it now owns and manages it.`,
            )
          }
        >
          Hand over
        </button>
      </div>
    </div>
  );
}

function GalleriesTab() {
  const galleries = useResource((signal) => fetchGalleries(signal), []);
  const orgs = useResource((signal) => api.get<{ orgs: OrgRow[] }>(EP.orgs, undefined, signal), []);
  const action = useAction(galleries.reload);
  const orgList = orgs.data?.orgs ?? [];
  const nameOf = (id: string) => orgList.find((o) => o.id === id)?.name ?? id;
  const platform = (galleries.data ?? []).filter((g) => g.relation === 'platform');
  return (
    <div>
      <p class="small muted">
        Galleries the platform holds. Share one with an organisation to let its investigators search it, or
        hand it over for the organisation to own and manage. Create and fill them on the Galleries page.
      </p>
      {action.note ? <Message kind="ok">{action.note}</Message> : null}
      <ErrorMessage error={galleries.error ?? orgs.error ?? action.error} />
      <div class="table-wrap">
        <table data-testid="platform-galleries-table">
          <thead>
            <tr>
              <th>Gallery</th>
              <th class="num">Faces</th>
              <th>Shared with</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {platform.map((g) => (
              <tr key={g.id} data-testid="platform-gallery-row" data-name={g.name}>
                <td>
                  <div>{g.name}</div>
                  <div class="small muted">{g.legalBasis}</div>
                </td>
                <td class="num">{g.faces.toLocaleString()}</td>
                <td>
                  {(g.grantedTo ?? []).length === 0 ? <span class="muted small">nobody</span> : null}
                  {(g.grantedTo ?? []).map((orgId) => (
                    <span key={orgId} class="tag" data-testid="grant">
                      {nameOf(orgId)}{' '}
                      <button
                        type="button"
                        class="link small"
                        aria-label={`Stop sharing ${g.name} with ${nameOf(orgId)}`}
                        disabled={action.busy}
                        onClick={() =>
                          action.run(
                            () => api.del(EP.galleryGrant(g.id, orgId)),
                            `Stopped sharing ${g.name} with ${nameOf(orgId)}.`,
                          )
                        }
                      >
                        ×
                      </button>
                    </span>
                  ))}
                </td>
                <td>
                  <GalleryActions gallery={g} orgs={orgList} run={action.run} busy={action.busy} />
                </td>
              </tr>
            ))}
            {galleries.data && platform.length === 0 ? (
              <tr>
                <td colSpan={4} class="muted">
                  The platform holds no galleries.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function RejectForm({ id, run }: { id: string; run: (work: () => Promise<unknown>, done: string) => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  if (!open)
    return (
      <button type="button" class="danger small" onClick={() => setOpen(true)}>
        Reject…
      </button>
    );
  return (
    <form
      class="stack"
      aria-label="Reject the request"
      onSubmit={(e) => {
        e.preventDefault();
        run(
          () => api.post(EP.optOutReject(id), { reason: reason.trim() }),
          'Rejected: the template is destroyed and the faces it hid are searchable again.',
        );
      }}
    >
      <label for={`reject-reason-${id}`} class="small">
        Why is this not the sender’s own face? (audited; name no one)
      </label>
      <input
        id={`reject-reason-${id}`}
        type="text"
        required
        minLength={3}
        value={reason}
        onInput={(e) => setReason(e.currentTarget.value)}
      />
      <div class="row">
        <button type="submit" class="danger small" disabled={reason.trim().length < 3}>
          Reject request
        </button>
        <button type="button" class="secondary small" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function OptOutsTab() {
  const [state, setState] = useState<OptOutState | ''>('held');
  const requests = useResource(
    (signal) =>
      api.get<{ total: number; items: OptOutRequest[] }>(
        EP.optOutRequests,
        state ? { state, limit: 200 } : { limit: 200 },
        signal,
      ),
    [state],
  );
  const action = useAction(requests.reload);
  const items: OptOutRequest[] = requests.data?.items ?? [];
  return (
    <div>
      <p class="small muted">
        A request from the public opt-out page hides the person’s face from every search at once; the faces it
        matches are erased when its hold ends. Confirm to erase now, or reject a request that is not the
        sender’s own face (a flood from one source, say): its faces come back to search. You see states and
        counts only, never which faces a request matched.
      </p>
      <div class="row toolbar">
        <label for="opt-out-filter">Show</label>
        <select
          id="opt-out-filter"
          value={state}
          onChange={(e) => setState(e.currentTarget.value as OptOutState | '')}
        >
          <option value="held">held (awaiting the end of their hold)</option>
          <option value="erasing">erasing (erasure under way)</option>
          <option value="confirmed">confirmed</option>
          <option value="rejected">rejected</option>
          <option value="">all</option>
        </select>
        <span class="small muted">{requests.data ? `${requests.data.total} request(s)` : ''}</span>
      </div>
      {action.note ? <Message kind="ok">{action.note}</Message> : null}
      <ErrorMessage error={requests.error ?? action.error} />
      <div class="table-wrap">
        <table data-testid="opt-outs-table">
          <thead>
            <tr>
              <th>Request</th>
              <th>Received</th>
              <th>Via</th>
              <th>State</th>
              <th>Erase after</th>
              <th class="num">Faces erased</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((r) => (
              <tr key={r.id} data-testid="opt-out-row" data-state={r.state}>
                <td class="mono small" title={r.id}>
                  …{r.id.slice(-12)}
                </td>
                <td class="small">{formatTime(r.createdAt)}</td>
                <td>{r.via}</td>
                <td>
                  <span
                    class={`tag ${r.state === 'rejected' ? 'bad' : r.state === 'confirmed' ? 'ok' : 'warn'}`}
                  >
                    {r.state}
                  </span>
                </td>
                <td class="small">{r.eraseAfter ? formatTime(r.eraseAfter) : '—'}</td>
                <td class="num">{r.facesRemoved}</td>
                <td>
                  {r.state === 'held' ? (
                    <div class="row">
                      <button
                        type="button"
                        class="small"
                        disabled={action.busy}
                        onClick={() =>
                          action.run(
                            () => api.post(EP.optOutConfirm(r.id)),
                            'Confirmed: the matching faces are erased.',
                          )
                        }
                      >
                        Confirm now
                      </button>
                      <RejectForm id={r.id} run={action.run} />
                    </div>
                  ) : (
                    <span class="small muted">{r.decidedBy ? `by ${r.decidedBy}` : 'hold ended'}</span>
                  )}
                </td>
              </tr>
            ))}
            {requests.data && items.length === 0 ? (
              <tr>
                <td colSpan={7} class="muted">
                  No requests {state ? `in the “${state}” state` : ''}.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function PlatformPage() {
  useTitle('Platform');
  const [tab, setTab] = useState<Tab>('orgs');
  return (
    <div>
      <h1>Platform</h1>
      <Tabs tabs={TABS} value={tab} onChange={setTab} label="Platform sections" idPrefix="platform">
        {tab === 'orgs' ? <OrgsTab /> : null}
        {tab === 'galleries' ? <GalleriesTab /> : null}
        {tab === 'opt-outs' ? <OptOutsTab /> : null}
      </Tabs>
    </div>
  );
}
