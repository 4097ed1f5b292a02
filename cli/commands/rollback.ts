// `stepmigrate rollback --to V`: the same workflow as `run`, towards a lower target. The
// down sections run through Validate, Backup, Apply and Verify like any other change.
import type { Command } from 'commander';
import { readRunHistory } from '../../lambdas/engine/adopt/import-history.ts';
import { type ExitCode, InputError } from '../../lambdas/engine/errors.ts';
import { targetIndex } from '../../lambdas/engine/loader/versions.ts';
import { computeStatus } from '../../lambdas/engine/status.ts';
import { openLocalEngine } from '../local/project.ts';
import { addRunOptions, type RunOptions, runCommand } from './run.ts';

export interface RollbackOptions extends Omit<RunOptions, 'target'> {
  to: string;
}

/** A rollback that would apply migrations is a mistake: say so before anything runs. */
async function refuseUpwardTarget(options: RollbackOptions): Promise<void> {
  const local = await openLocalEngine(options, undefined, { readOnly: true });
  try {
    const { migrations } = local.ctx;
    const { entries: history } = await local.db.withConnection((conn) => readRunHistory(conn, local.ctx));
    const { currentVersion } = computeStatus(migrations, history);
    const current = migrations.migrations.findIndex((m) => m.version === currentVersion);
    if (targetIndex(migrations, options.to) > current) {
      throw new InputError(
        `rollback --to ${options.to}: ${local.db.name} is at ${currentVersion}, and a rollback only goes down — to apply up to ${options.to}, use \`stepmigrate run --target ${options.to}\``,
      );
    }
  } finally {
    await local.close();
  }
}

export async function rollbackCommand(options: RollbackOptions): Promise<ExitCode> {
  await refuseUpwardTarget(options);
  const { to, ...rest } = options;
  return runCommand({ ...rest, target: to });
}

export function register(program: Command): void {
  const command = program
    .command('rollback')
    .description('run the workflow down to an earlier version (its down sections, with backup and verify)')
    .requiredOption('--to <version>', 'version to go back to ("0" = before the first migration)');
  addRunOptions(command, { target: false }).action(async (options: RollbackOptions) => {
    process.exitCode = await rollbackCommand(options);
  });
}
