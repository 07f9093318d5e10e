import type { Db } from '../../gallery/store/database.js';

export type OptOutChannel = 'public' | 'cli';

/**
 * `held`: suppressed, its matching faces not yet erased (a public request within its hold);
 * `erasing`: decided, its matching faces being erased (a crash leaves it here for the next sweep);
 * `confirmed`: its matching faces were erased, and any later match is suppressed;
 * `rejected`: a platform-admin judged it not the sender's own face; its template is destroyed.
 */
export const OPT_OUT_STATES = ['held', 'erasing', 'confirmed', 'rejected'] as const;
export type OptOutState = (typeof OPT_OUT_STATES)[number];

export interface OptOutRecord {
  id: string;
  via: OptOutChannel;
  state: OptOutState;
  createdAt: string;
  /** When a held request is confirmed by the sweep; null once decided. */
  eraseAfter: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  facesRemoved: number;
  imagesRemoved: number;
}

interface OptOutRow {
  id: string;
  via: OptOutChannel;
  status: OptOutState;
  created_at: string;
  erase_after: string | null;
  decided_by: string | null;
  decided_at: string | null;
  faces_removed: number;
  images_removed: number;
}

const COLUMNS =
  'id, via, status, created_at, erase_after, decided_by, decided_at, faces_removed, images_removed';

const toRecord = (r: OptOutRow): OptOutRecord => ({
  id: r.id,
  via: r.via,
  state: r.status,
  createdAt: r.created_at,
  eraseAfter: r.erase_after,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  facesRemoved: r.faces_removed,
  imagesRemoved: r.images_removed,
});

/** The only SQL over `opt_outs`. Templates leave it sealed; the vault opens them elsewhere. */
export class OptOutsRepo {
  constructor(private readonly db: Db) {}

  insert(input: {
    id: string;
    sealedTemplate: Buffer;
    codeSha256: string;
    via: OptOutChannel;
    now: string;
    /** Null: erased at once (the operator checked the person's identity). */
    eraseAfter: string | null;
  }): void {
    this.db
      .prepare(
        `INSERT INTO opt_outs (id, template, code_sha256, via, created_at, status, erase_after)
         VALUES (@id, @sealedTemplate, @codeSha256, @via, @now, @status, @eraseAfter)`,
      )
      .run({ ...input, status: input.eraseAfter === null ? 'erasing' : 'held' });
  }

  addRemoved(id: string, removed: { faces: number; images: number }): void {
    this.db
      .prepare(
        'UPDATE opt_outs SET faces_removed = faces_removed + ?, images_removed = images_removed + ? WHERE id = ?',
      )
      .run(removed.faces, removed.images, id);
  }

  byCodeHash(codeSha256: string): OptOutRecord | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM opt_outs WHERE code_sha256 = ?`).get(codeSha256) as
      | OptOutRow
      | undefined;
    return row && toRecord(row);
  }

  byId(id: string): OptOutRecord | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM opt_outs WHERE id = ?`).get(id) as
      | OptOutRow
      | undefined;
    return row && toRecord(row);
  }

  /** Newest first; `state` narrows the list. */
  list(state?: OptOutState, limit = 100, offset = 0): { total: number; items: OptOutRecord[] } {
    const where = state ? 'WHERE status = @state' : '';
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM opt_outs ${where}`).get({ state }) as { n: number }
    ).n;
    const rows = this.db
      .prepare(`SELECT ${COLUMNS} FROM opt_outs ${where} ORDER BY rowid DESC LIMIT @limit OFFSET @offset`)
      .all({ state, limit, offset }) as OptOutRow[];
    return { total, items: rows.map(toRecord) };
  }

  /** Held requests whose hold ended at `now` or before, oldest first. */
  dueIds(now: string): string[] {
    return this.db
      .prepare("SELECT id FROM opt_outs WHERE status = 'held' AND erase_after <= ? ORDER BY erase_after")
      .pluck()
      .all(now) as string[];
  }

  /** Requests whose erasure began and did not finish (the process stopped meanwhile). */
  unfinishedIds(): string[] {
    return this.db
      .prepare("SELECT id FROM opt_outs WHERE status = 'erasing' ORDER BY rowid")
      .pluck()
      .all() as string[];
  }

  /** Held → erasing; false when it was no longer held (decided meanwhile). */
  startErasing(id: string, by: string | null, now: string): boolean {
    return (
      this.db
        .prepare(
          `UPDATE opt_outs SET status = 'erasing', erase_after = NULL, decided_by = ?, decided_at = ?
           WHERE id = ? AND status = 'held'`,
        )
        .run(by, now, id).changes === 1
    );
  }

  /** Erasing → confirmed, once every matching face is gone. */
  finishErasing(id: string): void {
    this.db.prepare("UPDATE opt_outs SET status = 'confirmed' WHERE id = ? AND status = 'erasing'").run(id);
  }

  /** Held → rejected, destroying the template; false when it was no longer held. */
  reject(id: string, by: string, now: string): boolean {
    return (
      this.db
        .prepare(
          `UPDATE opt_outs SET status = 'rejected', template = X'', erase_after = NULL, decided_by = ?, decided_at = ?
           WHERE id = ? AND status = 'held'`,
        )
        .run(by, now, id).changes === 1
    );
  }

  /** Requests whose templates suppress faces (held and confirmed ones). */
  activeCount(): number {
    return (
      this.db.prepare("SELECT COUNT(*) AS n FROM opt_outs WHERE status != 'rejected'").get() as { n: number }
    ).n;
  }

  /**
   * Changes whenever the set of active templates does (a row added, or one rejected: rejection is
   * final, so the count of rejected rows only grows): lets a cached copy of the templates tell cheaply
   * that it is stale, also when another process (a CLI opt-out beside a running server) wrote the row.
   */
  generation(): string {
    const r = this.db
      .prepare(
        "SELECT COUNT(*) AS n, COALESCE(MAX(rowid), 0) AS m, COALESCE(SUM(status = 'rejected'), 0) AS r FROM opt_outs",
      )
      .get() as { n: number; m: number; r: number };
    return `${r.n}:${r.m}:${r.r}`;
  }

  sealedTemplates(): { id: string; template: Buffer }[] {
    return this.db
      .prepare("SELECT id, template FROM opt_outs WHERE status != 'rejected' ORDER BY rowid")
      .all() as { id: string; template: Buffer }[];
  }

  /** One request's sealed template, while it is active. */
  sealedTemplate(id: string): Buffer | undefined {
    return this.db
      .prepare("SELECT template FROM opt_outs WHERE id = ? AND status != 'rejected'")
      .pluck()
      .get(id) as Buffer | undefined;
  }
}
