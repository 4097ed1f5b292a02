// How the CLI talks to people and machines: one place decides colour, JSON and error lines.
import { ExitCode, exitCodeForError, StepMigrateError, summarizeError } from '../lambdas/engine/errors.ts';

/** Colour only on a TTY, and never when NO_COLOR is set (https://no-color.org). */
export function useColour(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** "file:line:col" when the error knows where it happened. */
export function errorLocation(error: StepMigrateError): string | undefined {
  if (error.file === undefined) return undefined;
  let where = error.file;
  if (error.line !== undefined) where += `:${error.line}`;
  if (error.line !== undefined && error.column !== undefined) where += `:${error.column}`;
  return where;
}

/** Prints a failure as one readable line on stderr and returns the exit code it maps to. */
export function reportFailure(error: unknown): ExitCode {
  const summary = summarizeError(error);
  const where = error instanceof StepMigrateError ? errorLocation(error) : undefined;
  process.stderr.write(`stepmigrate: ${summary.name}: ${where ? `${where}: ` : ''}${summary.message}\n`);
  if (!(error instanceof StepMigrateError) && process.env.STEPMIGRATE_DEBUG && error instanceof Error) {
    process.stderr.write(`${error.stack}\n`);
  }
  return error instanceof StepMigrateError ? exitCodeForError(summary.name) : ExitCode.rolledBack;
}
