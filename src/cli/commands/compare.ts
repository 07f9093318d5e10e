import type { Command } from 'commander';
import { type GlobalOptions, withFaceService } from '../context.js';
import { printJson } from '../output.js';

export function registerCompare(program: Command, globals: () => GlobalOptions): void {
  program
    .command('compare')
    .alias('verify')
    .description('1:1 comparison of the largest face in each image against the FMR 1e-3 operating point.')
    .argument('<imageA>')
    .argument('<imageB>')
    .action(async (a: string, b: string) => {
      const options = globals();
      const result = await withFaceService(options, (s) => s.compare({ path: a }, { path: b }), 2);
      if (options.json) {
        printJson({ similarity: result.similarity, threshold: result.threshold, match: result.match });
        return;
      }
      const verdict = result.match ? 'same person likely (match)' : 'no match';
      console.log(
        `similarity ${result.similarity.toFixed(4)} ${result.match ? '≥' : '<'} threshold ${result.threshold} (FMR 1e-3): ${verdict}`,
      );
    });
}
