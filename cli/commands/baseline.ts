// `stepmigrate baseline --version V [--reason …]`: start using stepmigrate on a database
// whose schema is already at V but that has no migration history at all. Records every
// migration up to V as applied (none is run) and writes the decision to the audit log.
import { Command } from 'commander';
import { baselineDatabase } from '../../lambdas/engine/adopt/baseline.ts';
import { ExitCode } from '../../lambdas/engine/errors.ts';
import type { AuditLog } from '../../lambdas/ports.ts';
import { projectAuditLog, recordOperatorDecision } from '../local/operator-decision.ts';
import { addLocalOptions, type LocalOptions, openLocalEngine } from '../local/project.ts';
import { type OutputSink, processSink } from '../sink.ts';

export interface BaselineOptions extends LocalOptions {
  version: string;
  reason?: string;
}

export async function baselineCommand(
  options: BaselineOptions,
  sink: OutputSink,
  auditLog: AuditLog = projectAuditLog(options.migrations),
): Promise<ExitCode> {
  const local = await openLocalEngine(options);
  try {
    const result = await baselineDatabase(local.ctx, { version: options.version, reason: options.reason });
    await recordOperatorDecision(local.ctx, auditLog, sink, options.json, {
      executionId: result.executionId,
      migrations: result.recorded,
      detail: { decision: { kind: 'baseline', version: options.version }, reason: options.reason },
      result,
    });
    return ExitCode.ok;
  } finally {
    await local.close();
  }
}

export function register(program: Command): void {
  const command = new Command('baseline')
    .description(
      'for a database already at a version but with no migration history at all: record every migration up to --version as applied, without running any',
    )
    .requiredOption(
      '--version <version>',
      'the last migration the database already has (e.g. 0004, a Flyway version, a Sqitch change or @tag)',
    )
    .option('--reason <text>', 'how you know the schema is at that version; recorded in the audit log')
    .addHelpText(
      'after',
      "\nRefused when the database has any history: ours, or another tool's (Flyway, Sqitch, golang-migrate, dbmate), which the first run imports instead.\nMigrations after --version stay pending; `stepmigrate status` shows them.",
    );
  program.addCommand(addLocalOptions(command));
  command.action(async (options: BaselineOptions) => {
    process.exitCode = await baselineCommand(options, processSink());
  });
}
