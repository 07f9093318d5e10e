import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { EmbedLine } from '../../services/face-service.js';
import { type GlobalOptions, withFaceService } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { printJson } from '../output.js';
import { startProgress } from '../progress.js';

export function registerEmbed(program: Command, globals: () => GlobalOptions): void {
  program
    .command('embed')
    .description(
      'Export one 128-d template per face as JSON lines, for images and folders (recursively), on all cores. ' +
        'Unreadable files give an error line and the run goes on; the exit code is then 2.',
    )
    .argument('[inputs...]', 'image files or folders')
    .option('--files-from <list>', 'read more inputs, one per line, from this file ("-" for stdin)')
    .action(async (inputs: string[], opts: { filesFrom?: string }) => {
      const options = globals();
      const sources = allInputs(inputs, opts.filesFrom);
      const progress = startProgress('embed', 0, ['faces', 'errors']);
      let faces = 0;
      let errors = 0;
      try {
        await withFaceService(options, async (service) => {
          for await (const lines of service.embedAll(sources, (total) => progress.setTotal(total))) {
            for (const line of lines) {
              if ('error' in line) errors++;
              else faces++;
              printJson(roundEmbedding(line));
            }
            progress.tick(1, { faces, errors });
          }
        });
      } finally {
        progress.stop();
      }
      if (errors > 0) process.exitCode = EXIT.badInput;
    });
}

async function* allInputs(inputs: string[], listFile?: string): AsyncGenerator<string> {
  yield* inputs;
  if (!listFile) return;
  const stream = listFile === '-' ? process.stdin : createReadStream(listFile);
  for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
    const path = line.trim();
    if (path) yield path;
  }
}

/** Six decimals is below float32 resolution for unit vectors and halves the line length. */
function roundEmbedding(line: EmbedLine): EmbedLine {
  if ('error' in line) return line;
  return { ...line, embedding: line.embedding.map((x) => Math.round(x * 1e6) / 1e6) };
}
