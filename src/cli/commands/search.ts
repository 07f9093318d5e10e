import type { Command } from 'commander';
import { SearchService } from '../../services/search-service.js';
import { type GlobalOptions, withApp } from '../context.js';
import { wholeNumber } from '../option-parsers.js';
import { printJson } from '../output.js';

export function registerSearch(program: Command, globals: () => GlobalOptions): void {
  program
    .command('search')
    .description(
      'Search galleries with one probe photo; candidates are investigative leads, not identifications.',
    )
    .argument('<probe>', 'probe image')
    .option('--gallery <name...>', 'galleries to search (default: all)')
    .option('--top <n>', 'candidates to return', wholeNumber('--top'), 10)
    .option('--face <index>', 'which probe face to search with (default: the largest)', wholeNumber('--face'))
    .action(async (probe: string, opts: { gallery?: string[]; top: number; face?: number }) => {
      const options = globals();
      const result = await withApp(options, (app) =>
        new SearchService(app).search({
          probe: { path: probe },
          top: opts.top,
          ...(opts.gallery ? { galleries: opts.gallery } : {}),
          ...(opts.face !== undefined ? { face: opts.face } : {}),
        }),
      );
      if (options.json) {
        printJson(result);
        return;
      }
      const { thresholds: t } = result;
      console.log(
        `Probe: ${result.probe.faces.length} face(s), searching with face #${result.probe.selected} over ${result.galleryFaces} faces. ` +
          `Thresholds for that size: high ≥ ${t.high} (FPIR 1e-3), possible ≥ ${t.possible} (FPIR 1e-2).`,
      );
      console.log(
        result.decision === 'match'
          ? 'Decision: candidate(s) above the possible threshold.'
          : 'Decision: NO CONFIDENT MATCH.',
      );
      for (const c of result.candidates) {
        const who = c.subjectId ? `subject ${c.subjectId}` : 'no subject id';
        const faces = c.identity && c.identity.faces > 1 ? ` (${c.identity.faces} faces)` : '';
        console.log(
          `  #${String(c.rank).padEnd(3)} ${c.similarity.toFixed(4)}  ${c.confidence.padEnd(8)}  ${c.gallery}  ${who}${faces}  ${c.source}`,
        );
      }
      console.log('Investigative lead only — not an identification.');
    });
}
