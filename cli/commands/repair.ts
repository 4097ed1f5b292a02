// `stepmigrate repair`: record an operator's decision after they looked at the database —
// a dirty migration finished or undone by hand, a changed file accepted, a crashed run's
// lease freed. Each decision is written to the audit log with its reason.
import { Command, Option } from 'commander';
import { ExitCode, InputError } from '../../lambdas/engine/errors.ts';
import { type RepairDecision, repair } from '../../lambdas/engine/repair.ts';
import type { AuditLog } from '../../lambdas/ports.ts';
import { projectAuditLog, recordOperatorDecision } from '../local/operator-decision.ts';
import { addLocalOptions, type LocalOptions, openLocalEngine } from '../local/project.ts';
import { type OutputSink, processSink } from '../sink.ts';

export interface RepairOptions extends LocalOptions {
  mark?: 'applied' | 'rolled_back';
  acceptChecksum?: boolean;
  releaseLease?: boolean;
  reason?: string;
}

export function repairDecision(
  version: string | undefined,
  options: RepairOptions,
  database: string,
): RepairDecision {
  const chosen = [options.mark !== undefined, options.acceptChecksum === true, options.releaseLease === true];
  if (chosen.filter(Boolean).length !== 1) {
    throw new InputError(
      'say exactly one of --mark <applied|rolled_back>, --accept-checksum or --release-lease',
    );
  }
  if (options.releaseLease) return { kind: 'release-lease', database };
  if (!version)
    throw new InputError(
      'name the migration version to repair, e.g. `stepmigrate repair 0004 --mark applied`',
    );
  return options.mark ? { kind: 'mark', version, state: options.mark } : { kind: 'accept-checksum', version };
}

export async function repairCommand(
  version: string | undefined,
  options: RepairOptions,
  sink: OutputSink,
  auditLog: AuditLog = projectAuditLog(options.migrations),
): Promise<ExitCode> {
  const local = await openLocalEngine(options, undefined, { readOnly: true });
  try {
    const decision = repairDecision(version, options, local.ctx.db.name);
    const result = await repair(local.ctx, decision, options.reason ?? '');
    await recordOperatorDecision(local.ctx, auditLog, sink, options.json, {
      executionId: `repair-${Date.now()}`,
      migrations: 'version' in decision ? [decision.version] : [],
      detail: { decision, reason: options.reason, before: result.before, lease: result.lease },
      result,
    });
    return ExitCode.ok;
  } finally {
    await local.close();
  }
}

export function register(program: Command): void {
  const command = new Command('repair')
    .description(
      'after you have looked at the database: mark a dirty migration applied or rolled back, accept a changed file, or release a crashed run’s lease',
    )
    .argument('[version]', 'the migration version, e.g. 0004')
    .addOption(
      new Option('--mark <state>', 'what the dirty migration now is').choices(['applied', 'rolled_back']),
    )
    .option('--accept-checksum', 'accept the current file of an applied migration as what was applied')
    .option('--release-lease', 'free the run lease left by a crashed run')
    .requiredOption('--reason <text>', 'what you checked; recorded in the audit log');
  program.addCommand(addLocalOptions(command));
  command.action(async (version: string | undefined, options: RepairOptions) => {
    process.exitCode = await repairCommand(version, options, processSink());
  });
}
