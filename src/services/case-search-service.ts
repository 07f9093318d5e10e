/**
 * Case-bound search: every face search and 1:1 compare an org's caller runs is tied to a case number
 * and a purpose, counted against the quota, limited to the galleries the org may search, kept in a
 * sealed history (with the probe photo, for the org's retention) and recorded in the audit log.
 * The server's routes and the CLI both come here, so the rules exist once.
 */
import { createHash } from 'node:crypto';
import type { AuditEvent } from '../audit/index.js';
import { FaceLedgerError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { pickByName } from '../gallery/store/galleries-repo.js';
import type { Candidate } from '../search/rank-candidates.js';
import { authorize, type Caller, can } from '../tenancy/index.js';
import type { FaceLedgerApp } from './app.js';
import { type CompareResult, FaceService } from './face-service.js';
import { sealSearchAuditCase } from './search-history/audit-sealing.js';
import {
  type CaseBinding,
  checkCaseBinding,
  checkPurposeList,
  DEFAULT_PURPOSES,
} from './search-history/case-input.js';
import { operatorGalleryIds } from './search-history/operator-galleries.js';
import { sniffImageType } from './search-history/probe-type.js';
import {
  checkRetention,
  DEFAULT_SEARCH_RETENTION,
  purgeExpiredSearches,
  type SearchPurgeCounts,
  type SearchRetention,
  type SearchRetentionChange,
  SearchRetentionRepo,
  type SearchRetentionView,
} from './search-history/retention.js';
import { SearchHistoryRepo } from './search-history/search-history-repo.js';
import type { SearchKind, SearchListFilters, SearchPage } from './search-history/search-records.js';
import { type SearchResult, SearchService } from './search-service.js';

export { DEFAULT_PURPOSES } from './search-history/case-input.js';
export { DEFAULT_SEARCH_RETENTION, type SearchPurgeCounts } from './search-history/retention.js';

/** What the unusual-use detector learns of each search (never the case, purpose or probe itself). */
export interface SearchActivity {
  caller: Caller;
  orgId: string;
  actor: string;
  at: Date;
  /** The search.run entry's search id (a failed search has no history row under it). */
  searchId: string;
  kind: SearchKind;
  probeSha256: string;
  resultCount: number;
  outcome: 'ok' | 'no-face' | 'failed';
}

export interface CaseSearchOptions {
  /** Purposes a search may give (default DEFAULT_PURPOSES). */
  purposes?: readonly string[];
  /** The installation's default retention; orgs may override it (default 30 / 365 days). */
  retention?: SearchRetention;
  /**
   * Called after every search or compare that ran (also failed ones), after it was recorded. An error
   * it throws reaches the caller: a broken alert hook must not go unnoticed.
   */
  afterSearch?: (info: SearchActivity) => void;
}

export interface CaseSearchInput {
  caller: Caller;
  /** The probe photo's bytes (JPEG, PNG, WebP…). */
  probe: Uint8Array;
  caseNumber: string;
  purpose: string;
  /** Gallery ids (or names) among those the caller's org may search; all of those when absent or empty. */
  galleries?: readonly string[];
  top?: number;
  face?: number;
}

export interface CaseCompareInput {
  caller: Caller;
  a: Uint8Array;
  b: Uint8Array;
  caseNumber: string;
  purpose: string;
}

/** A candidate with the URL its thumbnail is served from (to callers who may see its gallery). */
export type CaseCandidate = Candidate & { thumbnailUrl: string };

interface CaseRecord {
  searchId: string;
  caseNumber: string;
  purpose: string;
  createdAt: string;
}

/** The CLI search JSON plus the record's id, case, purpose and time; candidates carry thumbnail URLs. */
export type CaseSearchResult = Omit<SearchResult, 'candidates'> &
  CaseRecord & { kind: 'search'; candidates: CaseCandidate[] };

export type CaseCompareResult = CompareResult & CaseRecord & { kind: 'compare' };

/** A stored search as `get` returns it: the answer given then, who ran it, whether the probe is kept. */
export type StoredSearch = (CaseSearchResult | CaseCompareResult) & { actor: string; probeKept: boolean };

/** The CLI operator's search: platform galleries, no org, audited, no stored history. */
export type OperatorSearchResult = SearchResult & CaseRecord;

export interface OperatorSearchInput {
  /** `cli:<os user>`. */
  actor: string;
  probe: Uint8Array;
  caseNumber: string;
  purpose: string;
  /** Gallery names or ids (platform galleries only); all platform galleries when absent or empty. */
  galleries?: readonly string[];
  top?: number;
  face?: number;
}

export function thumbnailUrl(faceId: string): string {
  return `/api/v1/faces/${encodeURIComponent(faceId)}/thumbnail`;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function checkTop(top: number | undefined): number {
  const t = top ?? 10;
  if (!Number.isInteger(t) || t < 1 || t > 1000)
    throw new FaceLedgerError('BAD_INPUT', 'top must be 1 to 1000.');
  return t;
}

function checkImage(bytes: Uint8Array | undefined, name: string): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0)
    throw new FaceLedgerError('BAD_INPUT', `the ${name} image is missing or empty`);
  return bytes;
}

function outcomeOf(err: unknown): { outcome: 'no-face' | 'failed'; errorCode: string } {
  const code = err instanceof FaceLedgerError ? err.code : 'INTERNAL';
  return { outcome: code === 'NO_FACE' ? 'no-face' : 'failed', errorCode: code };
}

export class CaseSearchService {
  readonly purposes: readonly string[];
  readonly retentionDefaults: SearchRetention;
  readonly #afterSearch: ((info: SearchActivity) => void) | undefined;

  constructor(
    private readonly app: FaceLedgerApp,
    options: CaseSearchOptions = {},
  ) {
    this.purposes = checkPurposeList(options.purposes ?? DEFAULT_PURPOSES);
    this.retentionDefaults = checkRetention(options.retention ?? DEFAULT_SEARCH_RETENTION);
    this.#afterSearch = options.afterSearch;
  }

  /** Runs one case-bound search for an org's investigator (or API key). */
  async run(input: CaseSearchInput): Promise<CaseSearchResult> {
    const { caller } = input;
    authorize(caller, 'search.run');
    const binding = checkCaseBinding(input, this.purposes);
    const top = checkTop(input.top);
    const probe = checkImage(input.probe, 'probe');
    const galleryIds = this.#searchableGalleries(caller, input.galleries);
    this.#consumeQuota(caller);

    const at = this.app.clock.now();
    const record: CaseRecord = { searchId: newId(), ...binding, createdAt: at.toISOString() };
    const probeSha256 = sha256(probe);
    let searched: SearchResult;
    try {
      searched = await this.#search(probe, galleryIds, top, input.face);
    } catch (err) {
      this.#recordFailure(
        caller,
        at,
        record,
        binding,
        { kind: 'search', galleries: galleryIds, probeSha256 },
        err,
      );
      throw err;
    }
    const result: CaseSearchResult = {
      ...searched,
      ...record,
      kind: 'search',
      candidates: searched.candidates.map((c) => ({ ...c, thumbnailUrl: thumbnailUrl(c.faceId) })),
    };
    const topSimilarity = result.candidates[0]?.similarity ?? null;
    this.#store(caller, at, {
      record,
      binding,
      kind: 'search',
      galleries: galleryIds,
      top,
      probes: [probe],
      probeSha256,
      secondProbeSha256: null,
      resultCount: result.candidates.length,
      topSimilarity,
      decision: result.decision,
      threshold: result.thresholds.possible,
      result,
    });
    return result;
  }

  /** The gallery search itself, for an org's caller and the operator alike. */
  #search(
    probe: Uint8Array,
    galleryIds: string[],
    top: number,
    face: number | undefined,
  ): Promise<SearchResult> {
    return new SearchService(this.app).search({
      probe: { bytes: probe },
      galleryIds,
      top,
      ...(face !== undefined ? { face } : {}),
    });
  }

  /** A 1:1 comparison of two photos, bound to a case and audited like a search. */
  async compare(input: CaseCompareInput): Promise<CaseCompareResult> {
    const { caller } = input;
    authorize(caller, 'search.run');
    const binding = checkCaseBinding(input, this.purposes);
    const a = checkImage(input.a, 'first');
    const b = checkImage(input.b, 'second');
    this.#consumeQuota(caller);

    const at = this.app.clock.now();
    const record: CaseRecord = { searchId: newId(), ...binding, createdAt: at.toISOString() };
    const probeSha256 = sha256(a);
    const secondProbeSha256 = sha256(b);
    let compared: CompareResult;
    try {
      compared = await new FaceService(await this.app.pool()).compare({ bytes: a }, { bytes: b });
    } catch (err) {
      this.#recordFailure(
        caller,
        at,
        record,
        binding,
        { kind: 'compare', galleries: [], probeSha256, secondProbeSha256 },
        err,
      );
      throw err;
    }
    const result: CaseCompareResult = { ...compared, ...record, kind: 'compare' };
    this.#store(caller, at, {
      record,
      binding,
      kind: 'compare',
      galleries: [],
      top: null,
      probes: [a, b],
      probeSha256,
      secondProbeSha256,
      resultCount: compared.match ? 1 : 0,
      topSimilarity: Math.max(-1, Math.min(1, compared.similarity)),
      decision: compared.match ? 'match' : 'no_match',
      threshold: compared.threshold,
      result,
    });
    return result;
  }

  /**
   * The CLI operator's search at the machine: platform galleries only (an org's galleries are searched
   * through the server, as its investigators), no quota, audited in the platform chain under the
   * operator's `cli:` actor with the case and purpose sealed under the platform key. No history row:
   * the history is an org's, and a platform search has no org to keep it for or to show it to.
   */
  async runAsOperator(input: OperatorSearchInput): Promise<OperatorSearchResult> {
    if (!/^cli:\S+$/.test(input.actor))
      throw new FaceLedgerError('INTERNAL', 'operator searches are made by a cli: actor');
    const binding = checkCaseBinding(input, this.purposes);
    const top = checkTop(input.top);
    const probe = checkImage(input.probe, 'probe');
    const galleryIds = operatorGalleryIds(this.app.store, input.galleries);
    const at = this.app.clock.now();
    const record: CaseRecord = { searchId: newId(), ...binding, createdAt: at.toISOString() };
    const probeSha256 = sha256(probe);
    const audit = (details: Partial<AuditDetailsOfSearch>) =>
      this.app.audit.append(
        searchEvent(null, input.actor, {
          searchId: record.searchId,
          ...sealSearchAuditCase(this.app.vault, null, binding),
          galleries: galleryIds,
          kind: 'search',
          probeSha256,
          k: top,
          resultCount: 0,
          topSimilarity: null,
          outcome: 'ok',
          ...details,
        }),
      );
    let searched: SearchResult;
    try {
      searched = await this.#search(probe, galleryIds, top, input.face);
    } catch (err) {
      audit(outcomeOf(err));
      throw err;
    }
    audit({
      resultCount: searched.candidates.length,
      topSimilarity: searched.candidates[0]?.similarity ?? null,
      threshold: searched.thresholds.possible,
    });
    return { ...searched, ...record };
  }

  /** The caller's searches; org-admins and auditors see the whole org's. Newest first. */
  list(caller: Caller, filters: SearchListFilters = {}): SearchPage {
    return this.#history(caller).list(filters);
  }

  /** One stored search with its result as it was answered; the view is audited. NOT_FOUND otherwise. */
  get(caller: Caller, searchId: string): StoredSearch {
    const repo = this.#history(caller);
    const stored = repo.get(searchId);
    if (!stored) throw new FaceLedgerError('NOT_FOUND', 'search not found');
    this.app.audit.append({
      type: 'search.result.viewed',
      orgId: caller.orgId as string,
      actor: caller.actor,
      details: { searchId, view: 'result' },
    });
    const result = stored.result as CaseSearchResult | CaseCompareResult;
    return { ...result, actor: stored.summary.actor, probeKept: stored.summary.probeKept };
  }

  /**
   * The probe photo of a stored search (`second`: a compare's other photo), while retention keeps it.
   * The view is audited. NOT_FOUND for a search the caller may not read or a photo already purged.
   */
  probe(
    caller: Caller,
    searchId: string,
    which: 'first' | 'second' = 'first',
  ): { bytes: Buffer; mediaType: string } {
    const repo = this.#history(caller);
    const bytes = repo.probe(searchId, which === 'second' ? 1 : 0);
    if (!bytes) {
      const exists = repo.summary(searchId);
      throw new FaceLedgerError(
        'NOT_FOUND',
        exists ? 'the probe photo is no longer kept (retention)' : 'search not found',
      );
    }
    this.app.audit.append({
      type: 'search.result.viewed',
      orgId: caller.orgId as string,
      actor: caller.actor,
      details: { searchId, view: 'probe' },
    });
    return { bytes, mediaType: sniffImageType(bytes) };
  }

  /** A face's thumbnail (JPEG), for callers who search or review searches and whose org may see its gallery. */
  thumbnail(caller: Caller, faceId: string): Uint8Array {
    if (!can(caller, 'search.run') && !can(caller, 'search.read.own') && !can(caller, 'search.read.org'))
      authorize(caller, 'search.read.own');
    const face = typeof faceId === 'string' ? this.app.store.faces.get(faceId) : undefined;
    const jpeg =
      face && this.app.tenancy.accessibleGalleryIds(caller).includes(face.galleryId)
        ? this.app.store.faces.thumbnail(face.id)
        : undefined;
    if (!jpeg) throw new FaceLedgerError('NOT_FOUND', 'face not found');
    return jpeg;
  }

  /** The org's probe and history retention (org-admins and auditors read it). */
  retention(caller: Caller): SearchRetentionView {
    return this.#retention(caller).get();
  }

  /** Sets the org's retention (org-admins); null returns a value to the installation default. */
  setRetention(caller: Caller, change: SearchRetentionChange): SearchRetentionView {
    return this.#retention(caller).set(change);
  }

  /**
   * The retention sweep (for `faceledger retention run` and the server's timer): removes, in every
   * org, probe photos and history rows older than its retention at `now`; each org's purge is audited.
   */
  purgeExpired(now: Date = this.app.clock.now()): SearchPurgeCounts {
    return purgeExpiredSearches(
      { db: this.app.store.db, audit: this.app.audit },
      this.retentionDefaults,
      now,
    );
  }

  #history(caller: Caller): SearchHistoryRepo {
    return new SearchHistoryRepo(this.app.store.db, this.app.vault, caller);
  }

  #retention(caller: Caller): SearchRetentionRepo {
    return new SearchRetentionRepo(
      { db: this.app.store.db, audit: this.app.audit, clock: this.app.clock },
      caller,
      this.retentionDefaults,
    );
  }

  /**
   * The gallery ids to search: the requested ones, each of which the caller's org must be able to see
   * (anything else is NOT_FOUND, the same answer as for a gallery that does not exist), or all of them.
   */
  #searchableGalleries(caller: Caller, requested: readonly string[] | undefined): string[] {
    const accessible = this.app.tenancy.accessibleGalleryIds(caller);
    if (!requested || requested.length === 0) {
      if (accessible.length === 0)
        throw new FaceLedgerError(
          'BAD_INPUT',
          'your organisation has no galleries to search: an org-admin can create one, or a platform-admin can share one',
        );
      return accessible;
    }
    const ids = new Set<string>();
    for (const wanted of requested) {
      if (accessible.includes(wanted)) {
        ids.add(wanted);
        continue;
      }
      // By name, only among the galleries the org may search: other orgs may use the same name.
      const named = this.app.store.galleries.findAllByName(wanted).filter((g) => accessible.includes(g.id));
      if (named.length === 0)
        throw new FaceLedgerError('NOT_FOUND', `gallery not found: ${wanted.slice(0, 200)}`);
      ids.add(pickByName(named, wanted).id);
    }
    return [...ids];
  }

  #consumeQuota(caller: Caller): void {
    const decision = this.app.tenancy.quotas.consume(caller);
    if (!decision.allowed)
      throw new FaceLedgerError(
        'QUOTA',
        `search quota spent (${decision.exceeded.join(', ')}); try again in ${decision.retryAfterSeconds} s`,
        { retryAfterSeconds: decision.retryAfterSeconds },
      );
  }

  /** Stores the history row and its audit entry in one transaction, then tells the hook. */
  #store(caller: Caller, at: Date, s: StoredFacts): void {
    const orgId = caller.orgId as string;
    this.app.store.db
      .transaction(() => {
        this.#history(caller).insert({
          id: s.record.searchId,
          actor: caller.actor,
          kind: s.kind,
          createdAt: s.record.createdAt,
          caseNumber: s.binding.caseNumber,
          purpose: s.binding.purpose,
          galleries: s.galleries,
          top: s.top,
          probeSha256: s.probeSha256,
          secondProbeSha256: s.secondProbeSha256,
          resultCount: s.resultCount,
          topSimilarity: s.topSimilarity,
          decision: s.decision,
          result: s.result,
          probes: s.probes,
        });
        this.app.audit.append(
          searchEvent(orgId, caller.actor, {
            searchId: s.record.searchId,
            ...sealSearchAuditCase(this.app.vault, orgId, s.binding),
            galleries: s.galleries,
            kind: s.kind,
            probeSha256: s.probeSha256,
            ...(s.secondProbeSha256 ? { secondProbeSha256: s.secondProbeSha256 } : {}),
            resultCount: s.resultCount,
            topSimilarity: s.topSimilarity,
            ...(s.top !== null ? { k: s.top } : {}),
            threshold: s.threshold,
            outcome: 'ok',
          }),
        );
      })
      .immediate();
    this.#afterSearch?.({
      caller,
      orgId,
      actor: caller.actor,
      at,
      searchId: s.record.searchId,
      kind: s.kind,
      probeSha256: s.probeSha256,
      resultCount: s.resultCount,
      outcome: 'ok',
    });
  }

  /** A search that ran but failed (no face, unreadable image) is audited too, without a history row. */
  #recordFailure(
    caller: Caller,
    at: Date,
    record: CaseRecord,
    binding: CaseBinding,
    what: { kind: SearchKind; galleries: string[]; probeSha256: string; secondProbeSha256?: string },
    err: unknown,
  ): void {
    const orgId = caller.orgId as string;
    const { outcome, errorCode } = outcomeOf(err);
    this.app.audit.append(
      searchEvent(orgId, caller.actor, {
        searchId: record.searchId,
        ...sealSearchAuditCase(this.app.vault, orgId, binding),
        ...what,
        resultCount: 0,
        topSimilarity: null,
        outcome,
        errorCode,
      }),
    );
    this.#afterSearch?.({
      caller,
      orgId,
      actor: caller.actor,
      at,
      searchId: record.searchId,
      kind: what.kind,
      probeSha256: what.probeSha256,
      resultCount: 0,
      outcome,
    });
  }
}

type AuditDetailsOfSearch = Extract<AuditEvent, { type: 'search.run' }>['details'];

function searchEvent(orgId: string | null, actor: string, details: AuditDetailsOfSearch): AuditEvent {
  return { type: 'search.run', orgId, actor, details };
}

interface StoredFacts {
  record: CaseRecord;
  binding: CaseBinding;
  kind: SearchKind;
  galleries: string[];
  top: number | null;
  probes: Uint8Array[];
  probeSha256: string;
  secondProbeSha256: string | null;
  resultCount: number;
  topSimilarity: number | null;
  decision: string;
  threshold: number;
  result: CaseSearchResult | CaseCompareResult;
}
