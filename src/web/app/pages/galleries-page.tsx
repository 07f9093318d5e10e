/**
 * Galleries an org-admin (or, for the platform's own, a platform-admin) manages: create one with its
 * legal basis, ingest an uploaded archive or manifest and watch it run, read job reports, and erase an
 * image or an identity. Galleries only shared with the org are listed but cannot be managed.
 */
import { useState } from 'preact/hooks';
import { api, withQuery } from '../api/client.js';
import { EP } from '../api/endpoints.js';
import { fetchGalleries } from '../api/lookups.js';
import type { Answer, GalleryInfo, IngestJob, JobDetail } from '../api/types.js';
import { ErrorMessage, formatTime, Message } from '../components/common.js';
import { EraseDialog, type EraseTarget } from '../components/erase-dialog.js';
import { JobProgress, JobReportTable, LiveJob } from '../components/ingest-progress.js';
import { Tabs } from '../components/tabs.js';
import { useResource, useTitle } from '../hooks.js';
import { GalleryRetentionForm } from './gallery-retention-form.js';

function CreateGallery({ onCreated }: { onCreated: (g: GalleryInfo) => void }) {
  const [name, setName] = useState('');
  const [legalBasis, setLegalBasis] = useState('');
  const [description, setDescription] = useState('');
  const [retention, setRetention] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <form
      class="panel"
      aria-label="Create a gallery"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        const body: Record<string, unknown> = { name: name.trim(), legalBasis: legalBasis.trim() };
        if (description.trim()) body.description = description.trim();
        if (retention.trim()) body.retentionDays = Number(retention);
        api
          .post<GalleryInfo>(EP.galleries, body)
          .then((created) => {
            onCreated(created);
            setName('');
            setLegalBasis('');
            setDescription('');
            setRetention('');
          })
          .catch(setError)
          .finally(() => setBusy(false));
      }}
    >
      <h2>New gallery</h2>
      <ErrorMessage error={error} />
      <div class="field">
        <label for="gallery-name">Name</label>
        <input
          id="gallery-name"
          type="text"
          required
          maxLength={200}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="gallery-basis">Legal basis</label>
        <input
          id="gallery-basis"
          type="text"
          required
          maxLength={500}
          value={legalBasis}
          onInput={(e) => setLegalBasis(e.currentTarget.value)}
        />
        <span class="hint">Why the organisation may hold these images (statute, warrant, consent…).</span>
      </div>
      <div class="field">
        <label for="gallery-description">Description (optional)</label>
        <input
          id="gallery-description"
          type="text"
          maxLength={1000}
          value={description}
          onInput={(e) => setDescription(e.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="gallery-retention">Retention in days (optional)</label>
        <input
          id="gallery-retention"
          type="number"
          min={1}
          value={retention}
          onInput={(e) => setRetention(e.currentTarget.value)}
        />
        <span class="hint">Images older than this are purged automatically. Empty: kept until erased.</span>
      </div>
      <button type="submit" disabled={busy}>
        {busy ? 'Creating…' : 'Create gallery'}
      </button>
    </form>
  );
}

function fieldFor(file: File): 'archive' | 'manifest' {
  return /\.(csv|jsonl|ndjson)$/i.test(file.name) ? 'manifest' : 'archive';
}

function IngestForm({ gallery, onStarted }: { gallery: GalleryInfo; onStarted: (jobId: string) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <form
      aria-label="Ingest into this gallery"
      onSubmit={(e) => {
        e.preventDefault();
        if (!file) {
          setError(new Error('Choose an archive or a manifest first.'));
          return;
        }
        const form = new FormData();
        form.set(fieldFor(file), file, file.name);
        setBusy(true);
        setError(null);
        api
          .upload<{ job: IngestJob }>(EP.galleryIngest(gallery.id), form)
          .then((r) => onStarted(r.job.id))
          .catch(setError)
          .finally(() => setBusy(false));
      }}
    >
      <div class="field">
        <label for="ingest-file">Archive or manifest</label>
        <input
          id="ingest-file"
          type="file"
          accept=".zip,.tar,.tar.gz,.tgz,.csv,.jsonl,.ndjson"
          onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
        />
        <span class="hint">
          A .zip, .tar or .tar.gz of photos, or a .csv / .jsonl manifest of image URLs (with subject ids and
          source links). Faces of people who opted out are never enrolled.
        </span>
      </div>
      <ErrorMessage error={error} />
      <button type="submit" disabled={busy || !file}>
        {busy ? 'Uploading…' : 'Upload and ingest'}
      </button>
    </form>
  );
}

function JobsTable({ galleryId, refresh }: { galleryId: string; refresh: number }) {
  const jobs = useResource(
    async (signal) =>
      (
        await api.get<Answer<'/api/v1/galleries/{id}/jobs', 'get'>>(
          EP.galleryJobs(galleryId),
          undefined,
          signal,
        )
      ).jobs,
    [galleryId, refresh],
  );
  const [report, setReport] = useState<string | null>(null);
  const detail = useResource(
    (signal) => (report ? api.get<JobDetail>(EP.job(report), undefined, signal) : Promise.resolve(null)),
    [report],
  );
  return (
    <div>
      <ErrorMessage error={jobs.error} />
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Started</th>
              <th>Status</th>
              <th class="num">Items</th>
              <th class="num">Images</th>
              <th class="num">Faces</th>
              <th class="num">Errors</th>
              <th>
                <span class="visually-hidden">Report</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(jobs.data ?? []).map((j) => (
              <tr key={j.id}>
                <td>{formatTime(j.startedAt)}</td>
                <td>
                  <span class={`tag ${j.status === 'done' ? 'ok' : j.status === 'failed' ? 'bad' : 'warn'}`}>
                    {j.status}
                  </span>
                </td>
                <td class="num">{j.progress.itemsDone}</td>
                <td class="num">{j.progress.imagesEnrolled}</td>
                <td class="num">{j.progress.facesEnrolled}</td>
                <td class="num">{j.progress.errors}</td>
                <td>
                  <button type="button" class="link" onClick={() => setReport(j.id)}>
                    Report
                  </button>
                </td>
              </tr>
            ))}
            {jobs.data && jobs.data.length === 0 ? (
              <tr>
                <td colSpan={7} class="muted">
                  No ingest jobs yet.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {report && detail.data ? (
        <div class="panel" style={{ marginTop: '1rem' }}>
          <h3>Job report</h3>
          <JobProgress report={detail.data} />
          <div style={{ marginTop: '1rem' }}>
            <JobReportTable problems={detail.data.problems} />
          </div>
        </div>
      ) : null}
      <ErrorMessage error={detail.error} />
    </div>
  );
}

type ImagesPage = Answer<'/api/v1/galleries/{id}/images', 'get'>;
type IdentitiesPage = Answer<'/api/v1/galleries/{id}/identities', 'get'>;
type IdentityBuild = Answer<'/api/v1/galleries/{id}/identities', 'post'>;

const PAGE = 25;

function ImagesTable({
  galleryId,
  refresh,
  onErase,
}: {
  galleryId: string;
  refresh: number;
  onErase: (t: EraseTarget) => void;
}) {
  const [offset, setOffset] = useState(0);
  const page = useResource(
    (signal) => api.get<ImagesPage>(EP.galleryImages(galleryId), { limit: PAGE, offset }, signal),
    [galleryId, offset, refresh],
  );
  const items = page.data?.images ?? [];
  const total = page.data?.total ?? null;
  return (
    <div>
      <ErrorMessage error={page.error} />
      <div class="table-wrap">
        <table data-testid="images-table">
          <thead>
            <tr>
              <th>
                <span class="visually-hidden">Face</span>
              </th>
              <th>Image</th>
              <th>Subject</th>
              <th class="num">Faces</th>
              <th>Ingested</th>
              <th>
                <span class="visually-hidden">Erase</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((img) => (
              <tr key={img.id}>
                <td style={{ width: 56 }}>
                  {img.faces[0] ? (
                    <img
                      src={img.faces[0].thumbnailUrl}
                      alt=""
                      width={40}
                      height={40}
                      loading="lazy"
                      style={{ borderRadius: 4 }}
                    />
                  ) : null}
                </td>
                <td class="mono small">{img.location}</td>
                <td>{img.subjectId ?? '—'}</td>
                <td class="num">{img.faceCount}</td>
                <td>{formatTime(img.ingestedAt)}</td>
                <td>
                  <button
                    type="button"
                    class="danger small"
                    onClick={() => onErase({ kind: 'image', id: img.id, label: img.location })}
                  >
                    Erase
                  </button>
                </td>
              </tr>
            ))}
            {page.data && items.length === 0 ? (
              <tr>
                <td colSpan={6} class="muted">
                  No images.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Pager offset={offset} total={total} shown={items.length} onMove={setOffset} />
    </div>
  );
}

function IdentitiesTable({
  galleryId,
  refresh,
  onErase,
}: {
  galleryId: string;
  refresh: number;
  onErase: (t: EraseTarget) => void;
}) {
  const [offset, setOffset] = useState(0);
  const [building, setBuilding] = useState(false);
  const [built, setBuilt] = useState<IdentityBuild | null>(null);
  const [buildError, setBuildError] = useState<unknown>(null);
  const page = useResource(
    (signal) => api.get<IdentitiesPage>(EP.galleryIdentities(galleryId), { limit: PAGE, offset }, signal),
    [galleryId, offset, refresh, built],
  );
  const items = page.data?.identities ?? [];
  const build = () => {
    setBuilding(true);
    setBuildError(null);
    api
      .post<IdentityBuild>(EP.galleryIdentities(galleryId), {})
      .then((r) => {
        setOffset(0);
        setBuilt(r);
      })
      .catch(setBuildError)
      .finally(() => setBuilding(false));
  };
  return (
    <div>
      <div class="row toolbar">
        <button
          type="button"
          class="secondary"
          data-testid="build-identities"
          disabled={building}
          onClick={build}
        >
          {building ? 'Grouping faces…' : 'Group faces into identities'}
        </button>
        <span class="small muted">
          Replaces the current grouping. Faces of opted-out people are left out.
        </span>
      </div>
      {built ? (
        <Message kind="ok">
          <span data-testid="identities-built">
            Grouped {built.faces} faces into {built.identities} identities
            {built.suppressed ? ` (${built.suppressed} opted-out faces left out)` : ''}.
          </span>
        </Message>
      ) : null}
      <ErrorMessage error={page.error ?? buildError} />
      <div class="table-wrap">
        <table data-testid="identities-table">
          <thead>
            <tr>
              <th>Identity</th>
              <th>Subject</th>
              <th class="num">Faces</th>
              <th>
                <span class="visually-hidden">Erase</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.id}>
                <td class="mono small">{i.id}</td>
                <td>{i.subjectId ?? '—'}</td>
                <td class="num">{i.faceCount}</td>
                <td>
                  <button
                    type="button"
                    class="danger small"
                    onClick={() => onErase({ kind: 'identity', id: i.id, label: i.subjectId ?? i.id })}
                  >
                    Erase
                  </button>
                </td>
              </tr>
            ))}
            {page.data && items.length === 0 ? (
              <tr>
                <td colSpan={4} class="muted">
                  No identities yet: group the faces with the button above.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Pager offset={offset} total={page.data?.total ?? null} shown={items.length} onMove={setOffset} />
    </div>
  );
}

function Pager({
  offset,
  total,
  shown,
  onMove,
}: {
  offset: number;
  total: number | null;
  shown: number;
  onMove: (o: number) => void;
}) {
  if (offset === 0 && shown < PAGE) return null;
  return (
    <div class="row small" style={{ marginTop: '0.5rem' }}>
      <button
        type="button"
        class="secondary small"
        disabled={offset === 0}
        onClick={() => onMove(Math.max(0, offset - PAGE))}
      >
        Previous
      </button>
      <span class="muted">
        {offset + 1}–{offset + shown}
        {total !== null ? ` of ${total}` : ''}
      </span>
      <button
        type="button"
        class="secondary small"
        disabled={total !== null ? offset + shown >= total : shown < PAGE}
        onClick={() => onMove(offset + PAGE)}
      >
        Next
      </button>
    </div>
  );
}

type Tab = 'ingest' | 'jobs' | 'images' | 'identities';
const TABS: readonly [Tab, string][] = [
  ['ingest', 'Ingest'],
  ['jobs', 'Jobs'],
  ['images', 'Images'],
  ['identities', 'Identities'],
];

function GalleryDetail({ gallery, onChanged }: { gallery: GalleryInfo; onChanged: () => void }) {
  const [tab, setTab] = useState<Tab>('ingest');
  const [jobId, setJobId] = useState<string | null>(null);
  const [refresh, setRefresh] = useState(0);
  const [erase, setErase] = useState<EraseTarget | null>(null);
  const [erased, setErased] = useState<string | null>(null);
  const bump = () => {
    setRefresh((n) => n + 1);
    onChanged();
  };

  async function confirmErase(t: EraseTarget, reason: string, requestRef: string) {
    const url = withQuery(t.kind === 'image' ? EP.image(t.id) : EP.identity(t.id), {
      reason,
      requestRef: requestRef || undefined,
    });
    const { erased: e } = await api.del<{ erased: { imagesRemoved: number; facesRemoved: number } }>(url);
    setErased(
      `Erased ${t.kind} ${t.label}: ${e.facesRemoved} face(s) and ${e.imagesRemoved} image(s) removed.`,
    );
    bump();
  }

  return (
    <section class="panel" aria-labelledby="gallery-title" data-testid="gallery-detail">
      <div class="spread">
        <h2 id="gallery-title" style={{ margin: 0 }}>
          {gallery.name}
        </h2>
        <span class="muted small">
          {gallery.images} images · {gallery.faces} faces · legal basis: {gallery.legalBasis || '—'}
        </span>
      </div>
      <GalleryRetentionForm
        key={gallery.id}
        galleryId={gallery.id}
        retentionDays={gallery.retentionDays}
        onSaved={onChanged}
      />
      {erased ? <Message kind="ok">{erased}</Message> : null}
      <Tabs tabs={TABS} value={tab} onChange={setTab} label="Gallery sections" idPrefix="gallery">
        {tab === 'ingest' ? (
          <div class="stack">
            <IngestForm gallery={gallery} onStarted={setJobId} />
            {jobId ? <LiveJob key={jobId} jobId={jobId} onFinished={bump} /> : null}
          </div>
        ) : null}
        {tab === 'jobs' ? <JobsTable galleryId={gallery.id} refresh={refresh} /> : null}
        {tab === 'images' ? (
          <ImagesTable galleryId={gallery.id} refresh={refresh} onErase={setErase} />
        ) : null}
        {tab === 'identities' ? (
          <IdentitiesTable galleryId={gallery.id} refresh={refresh} onErase={setErase} />
        ) : null}
      </Tabs>
      <EraseDialog target={erase} onConfirm={confirmErase} onClose={() => setErase(null)} />
    </section>
  );
}

export function GalleriesPage() {
  useTitle('Galleries');
  const galleries = useResource((signal) => fetchGalleries(signal), []);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const list = galleries.data ?? [];
  const selected = list.find((g) => g.id === selectedId) ?? null;

  return (
    <div>
      <h1>Galleries</h1>
      <div class="grid-2" style={{ gridTemplateColumns: 'minmax(0, 2fr) minmax(280px, 1fr)' }}>
        <div>
          <ErrorMessage error={galleries.error} />
          <div class="table-wrap" style={{ marginBottom: '1.25rem' }}>
            <table data-testid="galleries-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Held as</th>
                  <th class="num">Images</th>
                  <th class="num">Faces</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {list.map((g) => {
                  const relation = g.relation;
                  return (
                    <tr key={g.id} class={g.id === selectedId ? 'selected' : undefined}>
                      <td>
                        {relation === 'granted' ? (
                          <span>{g.name}</span>
                        ) : (
                          <button type="button" class="link" onClick={() => setSelectedId(g.id)}>
                            {g.name}
                          </button>
                        )}
                      </td>
                      <td>
                        <span class="tag">{relation === 'granted' ? 'shared with you' : relation}</span>
                      </td>
                      <td class="num">{g.images}</td>
                      <td class="num">{g.faces}</td>
                      <td>{formatTime(g.createdAt)}</td>
                    </tr>
                  );
                })}
                {galleries.data && list.length === 0 ? (
                  <tr>
                    <td colSpan={5} class="muted">
                      No galleries yet: create one.
                    </td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </div>
          {selected ? (
            <GalleryDetail key={selected.id} gallery={selected} onChanged={galleries.reload} />
          ) : (
            <p class="muted">Choose a gallery to ingest into it, read its jobs or erase from it.</p>
          )}
        </div>
        <CreateGallery
          onCreated={(g) => {
            galleries.reload();
            setSelectedId(g.id);
          }}
        />
      </div>
    </div>
  );
}
