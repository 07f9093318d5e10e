import { join } from 'node:path';
import type { Command } from 'commander';
import { sharedDir } from '../../core/project-paths.js';
import { type GlobalOptions, withFaceService } from '../context.js';
import { printJson } from '../output.js';

const PEOPLE = ['Serena_Williams', 'Venus_Williams', 'Tony_Blair', 'Colin_Powell'];

/**
 * A first look at the pipeline on LFW sample photos: two photos each of four people (two of them
 * sisters), every pair compared at the FMR 1e-3 operating point, plus face counts on a crowd photo.
 */
export function registerDemo(program: Command, globals: () => GlobalOptions): void {
  program
    .command('demo')
    .description(
      'Detect and compare faces on LFW sample photos from ../shared/datasets (a quick end-to-end check).',
    )
    .option('--datasets <dir>', 'folder holding lfw/ and crowd/', sharedDir('datasets'))
    .action(async (opts: { datasets: string }) => {
      const options = globals();
      const photos = PEOPLE.flatMap((name) =>
        [1, 2].map((i) => ({ name, path: join(opts.datasets, 'lfw', 'lfw', name, `${name}_000${i}.jpg`) })),
      );
      const crowd = join(opts.datasets, 'crowd', 'images', 'ulfd_10.jpg');
      const report = await withFaceService(options, async (service) => {
        const comparisons = [];
        for (let i = 0; i < photos.length; i++) {
          for (let j = i + 1; j < photos.length; j++) {
            const a = photos[i] as (typeof photos)[number];
            const b = photos[j] as (typeof photos)[number];
            const r = await service.compare({ path: a.path }, { path: b.path });
            comparisons.push({
              a: label(a.path),
              b: label(b.path),
              samePerson: a.name === b.name,
              ...r,
              faces: undefined,
            });
          }
        }
        const crowdFaces = (await service.detect({ path: crowd })).faces.length;
        return { comparisons, crowd: { file: crowd, faces: crowdFaces } };
      });
      if (options.json) {
        printJson(report);
        return;
      }
      const correct = report.comparisons.filter((c) => c.match === c.samePerson).length;
      console.log(
        `Compared ${report.comparisons.length} pairs of LFW photos (threshold ${report.comparisons[0]?.threshold}):`,
      );
      for (const c of report.comparisons) {
        const truth = c.samePerson ? 'same person' : 'different';
        const mark = c.match === c.samePerson ? '✓' : '✗';
        console.log(
          `  ${mark} ${c.a.padEnd(26)} ${c.b.padEnd(26)} ${c.similarity.toFixed(3).padStart(7)}  ${c.match ? 'match' : '—'.padEnd(5)}  (${truth})`,
        );
      }
      console.log(`${correct}/${report.comparisons.length} decisions agree with the labels.`);
      console.log(`Crowd photo ${label(crowd)}: ${report.crowd.faces} faces detected.`);
    });
}

function label(path: string): string {
  return path.split('/').pop() ?? path;
}
