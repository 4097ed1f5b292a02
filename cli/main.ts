// The `stepmigrate` command. Each command lives in cli/commands/<name>.ts and exports a
// `register(program)` that only parses arguments and calls the function doing the work.
import { Command, CommanderError } from 'commander';
import { ExitCode } from '../lambdas/engine/errors.ts';
import { commands } from './commands/index.ts';
import { reportFailure } from './output.ts';

export function buildProgram(): Command {
  const program = new Command('stepmigrate')
    .description(
      'PostgreSQL schema migrations as a guarded workflow: validate, back up, apply, verify, and roll back on failure.',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return process.exitCode === undefined ? ExitCode.ok : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exitCode 0.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    return reportFailure(error);
  }
}
