import type { Command } from 'commander';
import { IdentityService } from '../../services/identity-service.js';
import { type GlobalOptions, withApp } from '../context.js';
import { wholeNumber } from '../option-parsers.js';
import { printJson } from '../output.js';

export function registerIdentities(program: Command, globals: () => GlobalOptions): void {
  const identities = program
    .command('identities')
    .description('Group faces into identities and browse them.');
  identities
    .command('build')
    .requiredOption('--gallery <name>')
    .description('Group the gallery’s faces into identities (subject ids from manifests are kept together).')
    .action(async (opts: { gallery: string }) => {
      const options = globals();
      const r = await withApp(options, (app) => new IdentityService(app).build(opts.gallery));
      if (options.json) printJson(r);
      else
        console.log(
          `Grouped ${r.faces} faces into ${r.identities} identities${r.suppressed ? ` (${r.suppressed} opted-out face(s) left out)` : ''}.`,
        );
    });
  identities
    .command('list')
    .requiredOption('--gallery <name>')
    .option('--limit <n>', 'how many', wholeNumber('--limit'), 50)
    .action(async (opts: { gallery: string; limit: number }) => {
      const options = globals();
      const list = await withApp(options, (app) => new IdentityService(app).list(opts.gallery, opts.limit));
      if (options.json) printJson({ identities: list });
      else
        for (const i of list)
          console.log(`${i.id}  ${String(i.faceCount).padStart(5)} faces  ${i.subjectId ?? ''}`);
    });
  identities
    .command('show')
    .argument('<id>')
    .action(async (id: string) => {
      const options = globals();
      const d = await withApp(options, (app) => new IdentityService(app).show(id));
      if (options.json) printJson(d);
      else {
        console.log(
          `Identity ${d.id}${d.subjectId ? ` (subject ${d.subjectId})` : ''}: ${d.faceCount} faces`,
        );
        for (const f of d.faces) console.log(`  ${f.faceId}  ${f.location}`);
      }
    });
}
