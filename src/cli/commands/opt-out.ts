import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { FaceLedgerError } from '../../core/errors.js';
import { OptOutService } from '../../services/opt-out-service.js';
import { cliActor, type GlobalOptions, withApp } from '../context.js';
import { printJson } from '../output.js';

/** A selfie is one photo; anything bigger is not one. */
const MAX_SELFIE_BYTES = 20 * 1024 * 1024;

export function registerOptOut(program: Command, globals: () => GlobalOptions): void {
  const optOut = program
    .command('optout')
    .description('Data subjects who object to being searched: their face is erased and suppressed.');

  optOut
    .command('add')
    .argument('<selfie>', 'a photo with exactly one face: the person opting out')
    .description(
      'Add a person to the suppression list from a selfie: their enrolled faces are erased from every ' +
        'gallery, and never enrolled or returned again. Only the face template is kept; prints a ' +
        'confirmation code, shown once.',
    )
    .action(async (selfie: string) => {
      const options = globals();
      const bytes = await readSelfie(selfie);
      const receipt = await withApp(options, (app) =>
        new OptOutService(app).submit({ selfie: bytes, via: 'cli', actor: cliActor() }),
      );
      if (options.json) {
        printJson(receipt);
        return;
      }
      console.log(`Opt-out recorded. Confirmation code (shown once): ${receipt.confirmationCode}`);
      console.log(
        `Erased ${receipt.removed.faces} matching face(s) and ${receipt.removed.images} image(s) ` +
          `in ${receipt.removed.galleries} gallery(ies).`,
      );
    });

  optOut
    .command('status')
    .argument('<code>', 'the confirmation code')
    .description('Whether an opt-out with this confirmation code is on file.')
    .action(async (code: string) => {
      const options = globals();
      const status = await withApp(options, (app) => new OptOutService(app).status(code));
      if (options.json) printJson(status);
      else console.log(`Opt-out on file since ${status.submittedAt}; suppression is in force.`);
    });
}

async function readSelfie(path: string): Promise<Buffer> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new FaceLedgerError('NOT_FOUND', `No file ${path}.`);
  if (info.size > MAX_SELFIE_BYTES)
    throw new FaceLedgerError('TOO_LARGE', `The selfie is larger than ${MAX_SELFIE_BYTES} bytes.`);
  return readFile(path);
}
