import { type Command, Option } from 'commander';
import type { FaceLedgerApp } from '../../services/app.js';
import {
  ERASURE_REASONS,
  type ErasureReport,
  type ErasureRequest,
  ErasureService,
} from '../../services/erasure-service.js';
import { cliActor, type GlobalOptions, withApp } from '../context.js';
import { printJson } from '../output.js';

interface EraseOptions {
  reason?: ErasureRequest['reason'];
  requestRef?: string;
}

/**
 * Erasure at the machine: the operator reaches every gallery and is audited as `cli:<os user>`. Each
 * command erases database rows, thumbnails and index entries at once, with an `erasure` audit entry.
 */
export function registerErase(program: Command, globals: () => GlobalOptions): void {
  const run = (
    what: string,
    id: string,
    opts: EraseOptions,
    erase: (s: ErasureService, by: { operator: string }, request: ErasureRequest) => ErasureReport,
  ) => {
    const options = globals();
    const request: ErasureRequest = {
      ...(opts.reason ? { reason: opts.reason } : {}),
      ...(opts.requestRef ? { requestRef: opts.requestRef } : {}),
    };
    return withApp(options, (app: FaceLedgerApp) => {
      const report = erase(new ErasureService(app), { operator: cliActor() }, request);
      if (options.json) printJson({ erased: report });
      else
        console.log(
          `Erased ${what} ${id}: ${report.imagesRemoved} image(s), ${report.facesRemoved} face(s), audited.`,
        );
    });
  };

  withEraseOptions(
    group(program, 'image', 'Stored images.')
      .command('delete')
      .argument('<imageId>')
      .description('Erase an image, its faces and thumbnails from the database and the index at once.'),
  ).action((id: string, opts: EraseOptions) => run('image', id, opts, (s, by, r) => s.eraseImage(by, id, r)));

  withEraseOptions(
    group(program, 'face', 'Stored faces.')
      .command('delete')
      .argument('<faceId>')
      .description('Erase one face (and its thumbnail) from the database and the index at once.'),
  ).action((id: string, opts: EraseOptions) => run('face', id, opts, (s, by, r) => s.eraseFace(by, id, r)));

  withEraseOptions(
    group(program, 'identities', 'Group faces into identities and browse them.')
      .command('delete')
      .argument('<identityId>')
      .description('Erase every face of an identity, and the images left without a face by that.'),
  ).action((id: string, opts: EraseOptions) =>
    run('identity', id, opts, (s, by, r) => s.eraseIdentity(by, id, r)),
  );

  withEraseOptions(
    group(program, 'gallery', 'Create and list galleries.')
      .command('delete')
      .argument('<gallery>', 'name or id')
      .requiredOption('--yes', 'confirm: the whole gallery goes, and cannot be brought back')
      .description('Erase a whole gallery: images, faces, thumbnails, identities, jobs and its index.'),
  ).action((id: string, opts: EraseOptions) =>
    run('gallery', id, opts, (s, by, r) => s.eraseGallery(by, id, r)),
  );
}

/** The command group of that name if another module registered it (`gallery`, `identities`), else a new one. */
function group(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

function withEraseOptions(command: Command): Command {
  return command
    .addOption(new Option('--reason <reason>', 'why (default data-subject-request)').choices(ERASURE_REASONS))
    .option('--request-ref <ref>', 'a ticket or letter reference, kept in the audit entry');
}
