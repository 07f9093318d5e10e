import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { FaceLedgerError } from '../../core/errors.js';
import { OPT_OUT_STATES, type OptOutState } from '../../services/opt-out/opt-outs-repo.js';
import { OptOutService } from '../../services/opt-out-service.js';
import { cliActor, type GlobalOptions, withApp } from '../context.js';
import { printJson } from '../output.js';

/** A selfie is one photo; anything bigger is not one. */
const MAX_SELFIE_BYTES = 20 * 1024 * 1024;

export function registerOptOut(program: Command, globals: () => GlobalOptions): void {
  const optOut = program
    .command('optout')
    .description(
      'Data subjects who object to being searched: their face is suppressed and erased. Requests from ' +
        'the public page are held (suppressed at once, erased when the hold ends) for review.',
    );

  optOut
    .command('add')
    .argument('<selfie>', 'a photo with exactly one face: the person opting out')
    .description(
      'Add a person whose identity you have checked to the suppression list from a selfie: their ' +
        'enrolled faces are erased from every gallery at once, and never enrolled or returned again. ' +
        'Only the face template is kept; prints a confirmation code, shown once.',
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
      else if (status.state === 'held')
        console.log(
          `Opt-out on file since ${status.submittedAt}; suppression is in force; held faces are erased after ${status.eraseAfter}.`,
        );
      else if (status.state === 'confirmed' || status.state === 'erasing')
        console.log(`Opt-out on file since ${status.submittedAt}; ${status.state}: suppression is in force.`);
      else console.log(`Opt-out sent ${status.submittedAt} was rejected on review; nothing is suppressed.`);
    });

  optOut
    .command('list')
    .option('--state <state>', `only requests in this state: ${OPT_OUT_STATES.join(', ')}`)
    .description(
      'Opt-out requests, newest first: state, channel, dates and counts (never what they matched).',
    )
    .action(async (cmd: { state?: string }) => {
      const options = globals();
      const state = parseState(cmd.state);
      const page = await withApp(options, (app) => new OptOutService(app).list(state, 1000));
      if (options.json) {
        printJson(page);
        return;
      }
      for (const r of page.items)
        console.log(
          `${r.id}  ${r.state.padEnd(9)} ${r.via.padEnd(6)} ${r.createdAt}  ` +
            `${r.state === 'held' ? `erase after ${r.eraseAfter}` : `${r.facesRemoved} face(s) erased`}`,
        );
      console.log(`${page.total} request(s).`);
    });

  optOut
    .command('confirm')
    .argument('<id>', 'a held request’s id (from "optout list")')
    .description('End a held request’s hold now: its matching enrolled faces are erased.')
    .action(async (id: string) => {
      const options = globals();
      const decision = await withApp(options, (app) => new OptOutService(app).confirm(id, cliActor()));
      if (options.json) printJson(decision);
      else
        console.log(
          `Confirmed. Erased ${decision.removed.faces} matching face(s) and ${decision.removed.images} image(s).`,
        );
    });

  optOut
    .command('reject')
    .argument('<id>', 'a held request’s id (from "optout list")')
    .requiredOption('--reason <text>', 'why the request is not the sender’s own face (audited)')
    .description(
      'Reject a held request: its template is destroyed and the faces it hid are searchable again.',
    )
    .action(async (id: string, cmd: { reason: string }) => {
      const options = globals();
      const reason = cmd.reason.trim();
      if (reason.length < 3)
        throw new FaceLedgerError('BAD_INPUT', 'Give a reason of at least 3 characters.');
      const request = await withApp(options, (app) => new OptOutService(app).reject(id, cliActor(), reason));
      if (options.json) printJson(request);
      else console.log(`Rejected ${request.id}; its template is destroyed.`);
    });
}

function parseState(raw: string | undefined): OptOutState | undefined {
  if (raw === undefined) return undefined;
  const state = OPT_OUT_STATES.find((s) => s === raw);
  if (state) return state;
  throw new FaceLedgerError(
    'BAD_INPUT',
    `--state must be one of ${OPT_OUT_STATES.join(', ')}, not "${raw}".`,
  );
}

async function readSelfie(path: string): Promise<Buffer> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new FaceLedgerError('NOT_FOUND', `No file ${path}.`);
  if (info.size > MAX_SELFIE_BYTES)
    throw new FaceLedgerError('TOO_LARGE', `The selfie is larger than ${MAX_SELFIE_BYTES} bytes.`);
  return readFile(path);
}
