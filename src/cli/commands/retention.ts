import type { Command } from 'commander';
import { RetentionService } from '../../services/retention-service.js';
import { cliActor, type GlobalOptions, withApp } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { printJson } from '../output.js';

export function registerRetention(program: Command, globals: () => GlobalOptions): void {
  program
    .command('retention')
    .description('Retention: delete what is held past its retention period.')
    .command('run')
    .description(
      'Erase images held past their gallery’s retention (with faces, thumbnails and index entries), ' +
        'purge expired probe photos, search history and audit entries (never under 365 days), confirm ' +
        'public opt-outs whose hold ended (erasing their matching faces); audit each. Exit 1 if a part failed.',
    )
    .action(async () => {
      const options = globals();
      const report = await withApp(options, (app) => new RetentionService(app).run(undefined, cliActor()));
      if (options.json) printJson(report);
      else {
        for (const g of report.galleries)
          console.log(
            `Gallery ${g.galleryId}: erased ${g.images} image(s), ${g.faces} face(s) ingested before ${g.before}.`,
          );
        if (report.galleries.length === 0) console.log('Galleries: nothing past its retention.');
        if (report.audit) console.log(`Audit log: purged ${report.audit.purged} expired entr(ies).`);
        if (report.searches)
          console.log(
            `Searches: purged ${report.searches.probes} probe photo(s), ${report.searches.searches} history row(s).`,
          );
        if (report.optOuts)
          console.log(
            `Opt-outs: ${report.optOuts.confirmed} held request(s) past their hold confirmed; ` +
              `erased ${report.optOuts.faces} matching face(s) in ${report.optOuts.images} image(s).`,
          );
        for (const f of report.failures) console.error(`faceledger: ${f.part}: ${f.message} [${f.code}]`);
      }
      if (report.failures.length > 0) process.exitCode = EXIT.failure;
    });
}
