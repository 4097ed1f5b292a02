// The `stepmigrate` command. Each command lives in cli/commands/<name>.ts and exports a
// `register(program)` that only parses arguments and calls the function doing the work.
// Only the module of the command being run is loaded (cli/commands/index.ts).
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ExitCode } from '../lambdas/engine/errors.ts';
import { type CommandEntry, commands } from './commands/index.ts';
import { reportFailure, usageFailure } from './output.ts';

function packageVersion(): string {
  const manifest = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

/** The command the arguments name (`stepmigrate help run` names run too), if any. */
export function commandNamed(argv: readonly string[]): CommandEntry | undefined {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return commands.find((entry) => entry.name === name);
}

/** Every command, and every subcommand, exits through main: a usage error is 64, never process.exit. */
function overrideExits(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) overrideExits(sub);
}

/**
 * The program with `wanted` fully defined and every other command as a name and summary,
 * which is all the top-level help shows.
 */
export async function buildProgram(wanted?: CommandEntry): Promise<Command> {
  const program = new Command('stepmigrate')
    .description(
      'PostgreSQL schema migrations as a guarded workflow: validate, back up, apply, verify, and roll back on failure.',
    )
    .version(packageVersion(), '-V, --version', 'print the stepmigrate version')
    .showHelpAfterError('(run with --help for usage)');
  const real = wanted ? await wanted.load() : undefined;
  for (const entry of commands) {
    if (entry === wanted && real) real.register(program);
    else program.command(entry.name).description(entry.summary).helpOption(false);
  }
  overrideExits(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const json = argv.includes('--json');
  try {
    const program = await buildProgram(commandNamed(argv));
    await program.parseAsync(argv as string[], { from: 'user' });
    return process.exitCode === undefined ? ExitCode.ok : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exitCode 0.
      if (error.exitCode === 0) return ExitCode.ok;
      return usageFailure(error, json);
    }
    return reportFailure(error, { json });
  }
}
