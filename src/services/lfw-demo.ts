import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IngestProgress } from '../gallery/ingest/ingest-job.js';
import type { IngestJob } from '../gallery/store/records.js';
import type { FaceLedgerApp } from './app.js';
import { CaseSearchService, type OperatorSearchResult } from './case-search-service.js';
import { platformGalleries } from './gallery-owners.js';
import { GalleryService } from './gallery-service.js';

export const DEMO_GALLERY = 'lfw-demo';
export const DEMO_CASE = { caseNumber: 'DEMO-1', purpose: 'victim-identification' } as const;

/** A probe whose person is enrolled through other photos, and one whose person is not enrolled at all. */
export const DEMO_PROBES = {
  enrolled: { person: 'Arnold_Schwarzenegger', file: 'Arnold_Schwarzenegger_0006.jpg' },
  notEnrolled: { person: 'Tara_Reid', file: 'Tara_Reid_0001.jpg' },
} as const;

export interface DemoResult {
  job: IngestJob;
  manifest: string;
  searches: { probe: string; expect: string; result: OperatorSearchResult }[];
}

/**
 * The Quick start's main job: enrol LFW through a manifest (subject id = the person, source = where
 * the file sits in LFW), holding out the two probes, then search with each. Re-running resumes or,
 * once done, finds every image already enrolled.
 */
export async function runLfwDemo(
  app: FaceLedgerApp,
  datasets: string,
  createdBy: string,
  hooks: { onTotal?: (n: number) => void; onProgress?: (p: IngestProgress) => void } = {},
): Promise<DemoResult> {
  const lfwRoot = join(datasets, 'lfw');
  const manifest = writeManifest(app.config.dataDir, lfwRoot);
  const galleries = new GalleryService(app);
  if (!platformGalleries(app.store).some((g) => g.name === DEMO_GALLERY)) {
    galleries.create({
      name: DEMO_GALLERY,
      legalBasis:
        'Research benchmark: LFW (UMass Amherst), public-figure news photos, for demonstration only',
      description: 'Labeled Faces in the Wild, deep-funneled, minus two held-out probes',
      sourceDescription: 'LFW distribution in ../shared/datasets/lfw',
      retentionDays: null,
      createdBy,
    });
  }
  const job = await galleries.ingest({ gallery: DEMO_GALLERY, source: manifest, createdBy, ...hooks });
  const search = new CaseSearchService(app);
  const searches = [];
  for (const [expect, probe] of Object.entries(DEMO_PROBES)) {
    const path = join(lfwRoot, 'lfw', probe.person, probe.file);
    searches.push({
      probe: path,
      expect,
      // Every search names a case and a purpose and is audited, the demo's too.
      result: await search.runAsOperator({
        actor: createdBy,
        probe: readFileSync(path),
        caseNumber: DEMO_CASE.caseNumber,
        purpose: DEMO_CASE.purpose,
        galleries: [DEMO_GALLERY],
        top: 5,
      }),
    });
  }
  return { job, manifest, searches };
}

function writeManifest(dataDir: string, lfwRoot: string): string {
  const held = new Set<string>([DEMO_PROBES.enrolled.file, DEMO_PROBES.notEnrolled.file]);
  const heldPeople = new Set<string>([DEMO_PROBES.notEnrolled.person]);
  const rows = ['path,subject_id,source'];
  for (const line of readFileSync(join(lfwRoot, 'lfw-names.txt'), 'utf8').trim().split('\n')) {
    const [name, count] = line.trim().split(/\s+/);
    if (!name || heldPeople.has(name)) continue;
    for (let i = 1; i <= Number(count); i++) {
      const file = `${name}_${String(i).padStart(4, '0')}.jpg`;
      if (held.has(file)) continue;
      rows.push(`${join(lfwRoot, 'lfw', name, file)},${name},lfw:${name}/${file}`);
    }
  }
  const dir = join(dataDir, 'demo');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'lfw-manifest.csv');
  writeFileSync(path, `${rows.join('\n')}\n`);
  return path;
}
