import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { FaceLedgerError } from '../../core/errors.js';
import { CaseSearchService, DEFAULT_PURPOSES } from '../../services/case-search-service.js';
import { cliActor, type GlobalOptions, withApp } from '../context.js';
import { wholeNumber } from '../option-parsers.js';
import { printJson } from '../output.js';

async function readProbe(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new FaceLedgerError('NOT_FOUND', `No such file: ${path}`);
    if (code === 'EISDIR') throw new FaceLedgerError('BAD_INPUT', `${path} is a folder, not an image file.`);
    throw new FaceLedgerError('BAD_INPUT', `Cannot read ${path}: ${(err as Error).message}`);
  }
}

export function registerSearch(program: Command, globals: () => GlobalOptions): void {
  program
    .command('search')
    .description(
      'Search galleries with one probe photo; candidates are investigative leads, not identifications.',
    )
    .argument('<probe>', 'probe image')
    .requiredOption('--case <number>', 'the case this search is for (recorded, sealed, in the audit log)')
    .requiredOption('--purpose <purpose>', `why: one of ${DEFAULT_PURPOSES.join(', ')}`)
    .option(
      '--gallery <name...>',
      'galleries to search (default: all platform galleries; an organisation’s are searched through the server)',
    )
    .option('--top <n>', 'candidates to return', wholeNumber('--top'), 10)
    .option('--face <index>', 'which probe face to search with (default: the largest)', wholeNumber('--face'))
    .action(
      async (
        probe: string,
        opts: { case: string; purpose: string; gallery?: string[]; top: number; face?: number },
      ) => {
        const options = globals();
        const bytes = await readProbe(probe);
        const result = await withApp(options, (app) =>
          new CaseSearchService(app).runAsOperator({
            actor: cliActor(),
            probe: bytes,
            caseNumber: opts.case,
            purpose: opts.purpose,
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
          `Search ${result.searchId} for case ${result.caseNumber} (${result.purpose}), recorded in the audit log.`,
        );
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
      },
    );
}
