import { SYSTEM_ACTOR } from '../audit/index.js';
import { DAY_MS } from '../core/clock.js';
import { asFaceLedgerError, type ErrorCode } from '../core/errors.js';
import type { FaceLedgerApp } from './app.js';
import { CaseSearchService } from './case-search-service.js';
import { ErasureRepo } from './erasure/erasure-repo.js';
import { ErasureService } from './erasure-service.js';
import { type ErasedCounts, OptOutService } from './opt-out-service.js';

export interface GalleryPurge {
  galleryId: string;
  /** Images ingested before this were erased. */
  before: string;
  images: number;
  faces: number;
}

export interface PartFailure {
  part: 'galleries' | 'audit' | 'searches' | 'opt-outs';
  code: ErrorCode;
  message: string;
}

export interface RetentionReport {
  at: string;
  /** Galleries where something expired (the others are left out). */
  galleries: GalleryPurge[];
  /** Audit entries purged (older than the log's retention, never under 365 days) and the new anchor. */
  audit: { purged: number; throughSeq: number | null } | null;
  /** Probe photos and history rows past their org's retention (each org's purge audited in its chain). */
  searches: { probes: number; searches: number } | null;
  /** Public opt-outs whose hold ended: confirmed, their matching faces erased (audited in each owner's chain). */
  optOuts: ({ confirmed: number } & ErasedCounts) | null;
  /** Parts that failed; the others still ran. Empty when all went well. */
  failures: PartFailure[];
}

/**
 * The retention sweep the server runs on a timer and `faceledger retention run` runs by hand: images
 * held past their gallery's retention are erased with their faces, thumbnails and index entries;
 * probe photos and search history past their org's retention go; the audit log drops entries past its
 * own retention (which never goes below a year); public opt-outs whose hold ended have their matching
 * faces erased; each purge is audited with counts. Idempotent: running it twice purges nothing the
 * second time.
 */
export class RetentionService {
  readonly #searches: Pick<CaseSearchService, 'purgeExpired'>;
  readonly #optOuts: Pick<OptOutService, 'confirmDue'>;

  /**
   * `searches`: the case search whose per-org probe and history retention to enforce; `optOuts`: the
   * opt-out service whose held requests to confirm (default settings otherwise).
   */
  constructor(
    private readonly app: FaceLedgerApp,
    options: {
      searches?: Pick<CaseSearchService, 'purgeExpired'>;
      optOuts?: Pick<OptOutService, 'confirmDue'>;
    } = {},
  ) {
    this.#searches = options.searches ?? new CaseSearchService(app);
    this.#optOuts = options.optOuts ?? new OptOutService(app);
  }

  run(now: Date = this.app.clock.now(), actor: string = SYSTEM_ACTOR): RetentionReport {
    const report: RetentionReport = {
      at: now.toISOString(),
      galleries: [],
      audit: null,
      searches: null,
      optOuts: null,
      failures: [],
    };
    const attempt = (part: PartFailure['part'], work: () => void): void => {
      try {
        work();
      } catch (err) {
        const e = asFaceLedgerError(err);
        report.failures.push({ part, code: e.code, message: e.message });
      }
    };
    attempt('galleries', () => {
      report.galleries = this.purgeGalleries(now, actor);
    });
    attempt('searches', () => {
      report.searches = this.#searches.purgeExpired(now);
    });
    attempt('opt-outs', () => {
      report.optOuts = this.#optOuts.confirmDue(now, actor);
    });
    // The audit log goes last, so the purges above are on record before it runs; it keeps its own
    // clock and retention (AuditLog refuses any cutoff inside the 365-day minimum).
    attempt('audit', () => {
      const r = this.app.audit.purgeExpired(actor);
      report.audit = { purged: r.purged, throughSeq: r.throughSeq };
    });
    return report;
  }

  /** Per gallery with a retention period: erases images ingested before `now` minus that many days. */
  purgeGalleries(now: Date, actor: string = SYSTEM_ACTOR): GalleryPurge[] {
    const repo = new ErasureRepo(this.app.store.db);
    const erasure = new ErasureService(this.app);
    const purged: GalleryPurge[] = [];
    for (const g of repo.galleriesWithRetention()) {
      const before = new Date(now.getTime() - g.retentionDays * DAY_MS).toISOString();
      const imageIds = repo.imagesIngestedBefore(g.id, before);
      if (imageIds.length === 0) continue;
      const orgId = repo.ownerOf(g.id);
      const removed = erasure.removeInGallery(g.id, { imageIds }, (r) => ({
        type: 'retention.purge',
        orgId,
        actor,
        details: { scope: 'gallery', before, purgedCount: r.images, galleryId: g.id },
      }));
      purged.push({ galleryId: g.id, before, images: removed.images, faces: removed.faces });
    }
    return purged;
  }
}
