import type { Command } from 'commander';
import { FaceLedgerError } from '../../core/errors.js';
import { GalleryService } from '../../services/gallery-service.js';
import { cliActor, type GlobalOptions, withApp } from '../context.js';
import { printJson } from '../output.js';

export function registerGallery(program: Command, globals: () => GlobalOptions): void {
  const gallery = program
    .command('gallery')
    .description('Create and list galleries (collections you are entitled to hold).');

  gallery
    .command('create')
    .argument('<name>')
    .requiredOption(
      '--legal-basis <text>',
      'why the organisation may hold these images, e.g. "booking photos under <statute>"',
    )
    .option('--description <text>', 'what the gallery holds', '')
    .option('--source <text>', 'where the images come from', '')
    .option('--retention <period>', 'how long images are kept, e.g. 90d, 6m, 3y (default: indefinitely)')
    .description('Create a gallery.')
    .action(
      async (
        name: string,
        opts: { legalBasis: string; description: string; source: string; retention?: string },
      ) => {
        const options = globals();
        const created = await withApp(options, (app) =>
          new GalleryService(app).create({
            name,
            legalBasis: opts.legalBasis,
            description: opts.description,
            sourceDescription: opts.source,
            retentionDays: opts.retention ? parseRetention(opts.retention) : null,
            createdBy: cliActor(),
          }),
        );
        if (options.json) printJson(created);
        else console.log(`Created gallery "${created.name}" (${created.id}).`);
      },
    );

  gallery
    .command('list')
    .description('List galleries with their image, face and identity counts.')
    .action(async () => {
      const options = globals();
      const list = await withApp(options, (app) => new GalleryService(app).list());
      if (options.json) {
        printJson({ galleries: list });
        return;
      }
      if (list.length === 0)
        console.log('No galleries yet. Create one with: faceledger gallery create <name> --legal-basis "…"');
      for (const g of list) {
        console.log(
          `${g.name}  ${g.images} images, ${g.faces} faces, ${g.identities} identities  — ${g.legalBasis}`,
        );
      }
    });
}

/** `90d`, `6m`, `3y` (or a plain number of days) to days. */
export function parseRetention(text: string): number {
  const m = /^(\d+)\s*([dmy]?)$/i.exec(text.trim());
  if (!m) throw new FaceLedgerError('BAD_INPUT', `Retention "${text}" is not a period like 90d, 6m or 3y.`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'd').toLowerCase();
  return unit === 'y' ? n * 365 : unit === 'm' ? n * 30 : n;
}
