// Runs the commands an error message prints, as a user would: each line exactly as printed,
// from the project directory, with DATABASE_URL pointing at the target.
import { main } from '../../../cli/main.ts';

/** The backticked `stepmigrate …` commands of a message, in order, each once. */
export function printedCommands(message: string): string[] {
  return [...new Set([...message.matchAll(/`stepmigrate ([^`]+)`/g)].map((match) => match[1]!))];
}

/** Splits a printed command line as a shell would: words, and "double-quoted" words. */
export function shellWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2]!);
}

/**
 * Runs `run` from `project`, with DATABASE_URL set to `databaseUrl` when one is given;
 * the working directory and DATABASE_URL are put back afterwards.
 */
export async function inProject<T>(project: string, databaseUrl: string | undefined, run: () => Promise<T>) {
  const cwd = process.cwd();
  const url = process.env.DATABASE_URL;
  process.chdir(project);
  if (databaseUrl !== undefined) process.env.DATABASE_URL = databaseUrl;
  try {
    return await run();
  } finally {
    process.chdir(cwd);
    if (url === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = url;
  }
}

/** Runs one printed command line through the CLI: its exit code and what it printed on stdout. */
export async function runPrinted(command: string): Promise<{ code: number; printed: string }> {
  const printed: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => printed.push(String(chunk)) > 0) as typeof write;
  const code = await main(shellWords(command)).finally(() => {
    process.stdout.write = write;
    process.exitCode = undefined;
  });
  return { code, printed: printed.join('') };
}
