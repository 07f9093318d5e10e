import type { Command } from 'commander';
import { MaintenanceService } from '../../services/maintenance-service.js';
import { type GlobalOptions, withApp } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { printJson } from '../output.js';

export function registerMaintenance(program: Command, globals: () => GlobalOptions): void {
  program
    .command('doctor')
    .description('Check that every gallery index agrees with the database; exit 1 if not.')
    .action(async () => {
      const options = globals();
      const report = await withApp(options, (app) => new MaintenanceService(app).doctor());
      if (options.json) printJson(report);
      else {
        for (const g of report.galleries) {
          const verdict = g.ok
            ? 'ok'
            : `${g.missing.length} missing from the index, ${g.extra.length} extra in the index`;
          console.log(`${g.gallery}: database ${g.databaseFaces} faces, index ${g.indexFaces} — ${verdict}`);
        }
        if (!report.ok) console.log('Repair with: faceledger index rebuild [--gallery <name>]');
      }
      if (!report.ok) process.exitCode = EXIT.failure;
    });

  program
    .command('index')
    .description('Vector index maintenance.')
    .command('rebuild')
    .option('--gallery <name>', 'only this gallery')
    .description('Rebuild vector indexes from the database.')
    .action(async (opts: { gallery?: string }) => {
      const options = globals();
      const rebuilt = await withApp(options, (app) => new MaintenanceService(app).rebuildIndex(opts.gallery));
      if (options.json) printJson({ rebuilt });
      else for (const r of rebuilt) console.log(`Rebuilt ${r.gallery}: ${r.faces} faces.`);
    });
}
