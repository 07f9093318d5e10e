import type { Db } from '../../gallery/store/database.js';

export type OptOutChannel = 'public' | 'cli';

export interface OptOutRecord {
  id: string;
  via: OptOutChannel;
  createdAt: string;
  facesRemoved: number;
  imagesRemoved: number;
}

interface OptOutRow {
  id: string;
  via: OptOutChannel;
  created_at: string;
  faces_removed: number;
  images_removed: number;
}

const toRecord = (r: OptOutRow): OptOutRecord => ({
  id: r.id,
  via: r.via,
  createdAt: r.created_at,
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
  }): void {
    this.db
      .prepare('INSERT INTO opt_outs (id, template, code_sha256, via, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(input.id, input.sealedTemplate, input.codeSha256, input.via, input.now);
  }

  addRemoved(id: string, removed: { faces: number; images: number }): void {
    this.db
      .prepare(
        'UPDATE opt_outs SET faces_removed = faces_removed + ?, images_removed = images_removed + ? WHERE id = ?',
      )
      .run(removed.faces, removed.images, id);
  }

  byCodeHash(codeSha256: string): OptOutRecord | undefined {
    const row = this.db
      .prepare(
        'SELECT id, via, created_at, faces_removed, images_removed FROM opt_outs WHERE code_sha256 = ?',
      )
      .get(codeSha256) as OptOutRow | undefined;
    return row && toRecord(row);
  }

  /**
   * Changes whenever a row is added or removed: lets a cached copy of the templates tell cheaply that it
   * is stale, also when another process (a CLI opt-out beside a running server) wrote the row.
   */
  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM opt_outs').get() as { n: number }).n;
  }

  generation(): string {
    const r = this.db.prepare('SELECT COUNT(*) AS n, COALESCE(MAX(rowid), 0) AS m FROM opt_outs').get() as {
      n: number;
      m: number;
    };
    return `${r.n}:${r.m}`;
  }

  sealedTemplates(): { id: string; template: Buffer }[] {
    return this.db.prepare('SELECT id, template FROM opt_outs ORDER BY rowid').all() as {
      id: string;
      template: Buffer;
    }[];
  }
}
