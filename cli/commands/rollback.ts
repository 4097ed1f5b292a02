// `stepmigrate rollback --to V`: the same workflow as `run`, towards a lower target. The
// down sections run through Validate, Backup, Apply and Verify like any other change.
import type { Command } from 'commander';
import type { ExitCode } from '../../lambdas/engine/errors.ts';
import { addRunOptions, type RunOptions, runCommand } from './run.ts';

export interface RollbackOptions extends Omit<RunOptions, 'target'> {
  to: string;
}

export function rollbackCommand(options: RollbackOptions): Promise<ExitCode> {
  const { to, ...rest } = options;
  return runCommand({ ...rest, target: to });
}

export function register(program: Command): void {
  const command = program
    .command('rollback')
    .description('run the workflow down to an earlier version (its down sections, with backup and verify)')
    .requiredOption('--to <version>', 'version to go back to ("0" = before the first migration)');
  addRunOptions(command).action(async (options: RollbackOptions & { target?: string }) => {
    if (options.target !== undefined) command.error('rollback goes to --to <version>; --target is for run');
    process.exitCode = await rollbackCommand(options);
  });
}
