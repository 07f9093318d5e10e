#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { FaceLedgerError } from '../core/errors.js';
import { registerAdmin } from './commands/admin.js';
import { registerAudit } from './commands/audit.js';
import { registerCompare } from './commands/compare.js';
import { registerDemo } from './commands/demo.js';
import { registerDetect } from './commands/detect.js';
import { registerEmbed } from './commands/embed.js';
import { registerErase } from './commands/erase.js';
import { registerGallery } from './commands/gallery.js';
import { registerIdentities } from './commands/identities.js';
import { registerIngest } from './commands/ingest.js';
import { registerMaintenance } from './commands/maintenance.js';
import { registerOptOut } from './commands/opt-out.js';
import { registerRetention } from './commands/retention.js';
import { registerSearch } from './commands/search.js';
import { registerServe } from './commands/serve.js';
import type { GlobalOptions } from './context.js';
import { EXIT } from './exit-codes.js';
import { delegateToChild, needsDelegation, userArguments } from './long-argv.js';
import { reportError } from './output.js';

function buildProgram(): Command {
  const program = new Command('faceledger')
    .description('FaceLedger: accountable face search over galleries you are entitled to hold.')
    .option('--json', 'machine-readable JSON on stdout (errors too)', false)
    .option(
      '--data <dir>',
      'data folder for the database and indexes (default: $FACELEDGER_DATA, else ./data)',
    )
    .option('--models <dir>', 'model folder (default: $FACELEDGER_MODELS, else ../shared/models)')
    .option('--workers <n>', 'worker threads for face analysis (default: one per core)', parseWorkers)
    .showHelpAfterError()
    .exitOverride();
  const globals = () => program.opts<GlobalOptions>();
  registerDetect(program, globals);
  registerCompare(program, globals);
  registerEmbed(program, globals);
  registerGallery(program, globals);
  registerIngest(program, globals);
  registerSearch(program, globals);
  registerIdentities(program, globals);
  registerErase(program, globals);
  registerMaintenance(program, globals);
  registerOptOut(program, globals);
  registerRetention(program, globals);
  registerAudit(program, globals);
  registerDemo(program, globals);
  registerServe(program, globals);
  registerAdmin(program, globals);
  return program;
}

function parseWorkers(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw new FaceLedgerError('BAD_INPUT', `--workers takes a whole number from 1 to 256, not "${value}".`);
  }
  return n;
}

async function main(): Promise<void> {
  if (needsDelegation()) {
    process.exitCode = await delegateToChild();
    return;
  }
  const args = userArguments();
  const json = args.includes('--json');
  const program = buildProgram();
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander; a real usage error is bad input.
      if (err.exitCode === 0) return;
      if (json) reportError(new FaceLedgerError('BAD_INPUT', err.message.replace(/^error: /, '')), { json });
      process.exitCode = EXIT.badInput;
      return;
    }
    reportError(err, { json });
  }
}

await main();
