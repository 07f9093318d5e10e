import { renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { FaceLedgerError } from '../../core/errors.js';
import { createMasterKeyFile, loadMasterKeyFile, MASTER_KEY_ENV } from '../../crypto/index.js';
import { cliActor, type GlobalOptions, withApp } from '../context.js';
import { printJson } from '../output.js';

export function registerAdmin(program: Command, globals: () => GlobalOptions): void {
  const admin = program.command('admin').description('Bootstrap and keys: run on the server host.');
  admin
    .command('create')
    .description('Create a platform-admin account; prints a one-time setup token and link (valid 24 h).')
    .requiredOption('--email <email>')
    .option('--name <name>')
    .option('--url <base>', 'base URL of the server, for the setup link', 'http://127.0.0.1:8080')
    .action(async (opts: { email: string; name?: string; url: string }) => {
      const options = globals();
      const issued = await withApp(options, (app) =>
        app.tenancy.createPlatformAdmin({
          email: opts.email,
          ...(opts.name ? { name: opts.name } : {}),
          actor: cliActor(),
        }),
      );
      const link = `${opts.url.replace(/\/$/, '')}/setup#token=${encodeURIComponent(issued.setupToken)}`;
      if (options.json)
        printJson({
          userId: issued.userId,
          setupToken: issued.setupToken,
          setupLink: link,
          expiresAt: issued.expiresAt,
        });
      else {
        console.log(`Platform-admin created (${issued.userId}).`);
        console.log(`One-time setup link (shown once, valid until ${issued.expiresAt}):\n  ${link}`);
        console.log('Open it, choose a password, then enrol a second factor at first sign-in.');
      }
    });

  admin
    .command('rotate-master-key')
    .description('Mint a new master key and re-wrap every data key with it (key-file mode).')
    .action(async () => {
      const options = globals();
      if (process.env[MASTER_KEY_ENV])
        throw new FaceLedgerError(
          'BAD_INPUT',
          `the master key comes from ${MASTER_KEY_ENV}; rotate it in your secret store and restart with the old key in FACELEDGER_PREVIOUS_MASTER_KEYS`,
        );
      const report = await withApp(options, (app) => {
        const current = join(app.keyDir, 'master.key');
        const next = join(app.keyDir, 'master.key.next');
        createMasterKeyFile(next);
        const r = app.vault.rotateMasterKey(loadMasterKeyFile(next));
        // The old key stays on disk, renamed, until the operator has checked backups: data keys no
        // longer need it, but a database backup taken before the rotation still does.
        renameSync(current, join(app.keyDir, `master.key.retired-${Date.now()}`));
        renameSync(next, current);
        return r;
      });
      if (options.json) printJson(report);
      else
        console.log(`Re-wrapped ${JSON.stringify(report)}. The retired key file is kept beside the new one.`);
    });
}
