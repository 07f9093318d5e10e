import type { Command } from 'commander';
import { z } from 'zod';
import type { VerifyReport } from '../../audit/index.js';
import { FaceLedgerError } from '../../core/errors.js';
import { AuditService } from '../../services/audit-service.js';
import { cliActor, type GlobalOptions, withApp } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { printJson } from '../output.js';

const orgOption = z.string().trim().min(1).max(200);
const timeOption = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

function parseOption<T>(schema: z.ZodType<T>, value: string | undefined, name: string): T | undefined {
  if (value === undefined) return undefined;
  const result = schema.safeParse(value);
  if (!result.success)
    throw new FaceLedgerError('BAD_INPUT', `${name} is not valid: ${JSON.stringify(value)}`);
  return result.data;
}

/**
 * `faceledger audit verify | export`: run by the operator at the machine (recorded as `cli:<os user>`),
 * over the whole log or one org's chain. Verify exits 7 (TAMPERED) naming the first bad entry.
 */
export function registerAudit(program: Command, globals: () => GlobalOptions): void {
  const audit = program.command('audit').description('The tamper-evident audit log.');

  audit
    .command('verify')
    .description('Check every hash chain and signed checkpoint; exit 7 naming the first bad entry.')
    .option('--org <id>', "only this org's chain")
    .action(async (opts: { org?: string }) => {
      const options = globals();
      const orgId = parseOption(orgOption, opts.org, '--org');
      const report = await withApp(options, (app) =>
        new AuditService({ audit: app.audit }).verifyAsOperator(cliActor(), orgId ? { orgId } : {}),
      );
      if (options.json) printJson(report);
      else process.stdout.write(`${describeReport(report)}\n`);
      if (!report.ok) process.exitCode = EXIT.tampered;
    });

  audit
    .command('export')
    .description(
      'Write entries as JSON lines (oldest first) to stdout: faceledger audit export > audit.jsonl',
    )
    .option('--org <id>', "only this org's entries")
    .option('--platform', 'only platform entries (no org)')
    .option('--from <time>', 'from this ISO time or date (inclusive)')
    .option('--to <time>', 'up to this ISO time or date (exclusive)')
    .action(async (opts: { org?: string; platform?: boolean; from?: string; to?: string }) => {
      const options = globals();
      const org = parseOption(orgOption, opts.org, '--org');
      if (org !== undefined && opts.platform)
        throw new FaceLedgerError('BAD_INPUT', '--org and --platform exclude each other');
      const from = parseOption(timeOption, opts.from, '--from');
      const to = parseOption(timeOption, opts.to, '--to');
      const result = await withApp(options, (app) =>
        new AuditService({ audit: app.audit }).exportAsOperator(
          cliActor(),
          {
            ...(org !== undefined ? { orgId: org } : opts.platform ? { orgId: null } : {}),
            ...(from ? { from } : {}),
            ...(to ? { to } : {}),
          },
          (line) => process.stdout.write(line),
        ),
      );
      // stdout is the export itself; the summary goes to stderr.
      process.stderr.write(`Exported ${result.count} audit entries (sha256 ${result.sha256}).\n`);
    });
}

function describeReport(report: VerifyReport): string {
  const what =
    report.scope === 'org' ? `org ${report.orgId}'s chain` : 'the global chain and every org chain';
  const checkpoints = `${report.checkpoints.trusted}/${report.checkpoints.total} checkpoints trusted`;
  if (report.ok) return `Audit log OK: ${report.checked} entries checked in ${what}; ${checkpoints}.`;
  const bad = report.firstBad;
  const where = bad?.seq === null || bad?.seq === undefined ? 'an unknown position' : `seq ${bad.seq}`;
  return [
    `TAMPERED: ${bad?.reason ?? 'unknown'} at ${where}${bad?.id ? ` (entry ${bad.id})` : ''}`,
    `  ${bad?.message ?? ''}`,
    `  ${report.checked} entries passed before it in ${what}; ${checkpoints}.`,
    '  Preserve the database file as it is and investigate.',
  ].join('\n');
}
