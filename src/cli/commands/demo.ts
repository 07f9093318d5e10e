import type { Command } from 'commander';
import { sharedDir } from '../../core/project-paths.js';
import { runLfwDemo } from '../../services/lfw-demo.js';
import { cliActor, type GlobalOptions, withApp } from '../context.js';
import { withIngestProgress } from '../ingest-progress.js';
import { printJson } from '../output.js';

export function registerDemo(program: Command, globals: () => GlobalOptions): void {
  program
    .command('demo')
    .description(
      'The Quick start: enrol LFW (from ../shared/datasets) into the gallery "lfw-demo" under the data folder, ' +
        'then search with an enrolled person’s held-out photo and with a person who is not enrolled.',
    )
    .option('--datasets <dir>', 'folder holding lfw/', sharedDir('datasets'))
    .action(async (opts: { datasets: string }) => {
      const options = globals();
      const demo = await withApp(options, (app) =>
        withIngestProgress((hooks) => runLfwDemo(app, opts.datasets, cliActor(), hooks)),
      );
      if (options.json) {
        printJson(demo);
        return;
      }
      const j = demo.job;
      console.log(
        `\nGallery lfw-demo: job ${j.id} ${j.status} — ${j.imagesEnrolled} images and ${j.facesEnrolled} faces enrolled now, ` +
          `${j.duplicates} already enrolled, ${j.noFace} without a usable face, ${j.errors} errors (manifest ${demo.manifest}).`,
      );
      for (const s of demo.searches) {
        const r = s.result;
        console.log(`\nProbe ${s.probe}`);
        console.log(
          `  (${s.expect === 'enrolled' ? 'this person is enrolled through other photos' : 'this person is not enrolled'})`,
        );
        console.log(
          `  ${r.probe.faces.length} face(s) in the probe; thresholds high ≥ ${r.thresholds.high}, possible ≥ ${r.thresholds.possible}`,
        );
        console.log(
          `  Decision: ${r.decision === 'match' ? 'candidate(s) above the possible threshold' : 'NO CONFIDENT MATCH'}`,
        );
        for (const c of r.candidates) {
          const faces = c.identity && c.identity.faces > 1 ? ` (${c.identity.faces} faces)` : '';
          console.log(
            `  #${c.rank}  ${c.similarity.toFixed(4)}  ${c.confidence.padEnd(8)}  ${(c.subjectId ?? '-').padEnd(28)}${faces.padEnd(12)} ${c.source}`,
          );
        }
      }
      console.log('\nCandidates are investigative leads only — not identifications.');
    });
}
