// How the CLI talks to people and machines: one place decides colour, JSON, line width and
// how an error is printed — once, with its place in the file, and as JSON under --json.
import type { CommanderError } from 'commander';
import {
  type ErrorSummary,
  ExitCode,
  exitCodeForError,
  StepMigrateError,
  summarizeError,
} from '../lambdas/engine/errors.ts';

/** Colour only on a TTY, and never when NO_COLOR is set (https://no-color.org). */
export function useColour(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** "file:line:col" when the error knows where it happened. */
export function errorLocation(error: Pick<ErrorSummary, 'file' | 'line' | 'column'>): string | undefined {
  if (error.file === undefined) return undefined;
  let where = error.file;
  if (error.line !== undefined) where += `:${error.line}`;
  if (error.line !== undefined && error.column !== undefined) where += `:${error.column}`;
  return where;
}

/** The error as one sentence: its place first, said once even when the message already starts with it. */
export function errorText(summary: ErrorSummary): string {
  const where = errorLocation(summary);
  if (!where || summary.message.startsWith(where)) return summary.message;
  return `${where}: ${summary.message}`;
}

/**
 * Breaks `text` into lines no wider than `width`, at spaces; a word longer than a line
 * stays whole. Continuation lines start with `indent`.
 */
export function wrapText(text: string, width: number | undefined, indent = '  '): string[] {
  if (!width || width < 40 || text.length <= width) return [text];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const prefix = lines.length === 0 ? '' : indent;
    if (line !== '' && prefix.length + line.length + 1 + word.length > width) {
      lines.push(prefix + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push((lines.length === 0 ? '' : indent) + line);
  return lines;
}

/** Width to wrap a stream's lines at: the terminal's, or none when it is not a terminal. */
export function lineWidth(stream: NodeJS.WriteStream = process.stdout): number | undefined {
  return stream.isTTY ? stream.columns : undefined;
}

export interface FailureOptions {
  /** The command was given --json: stdout gets one document with the error. */
  json?: boolean;
}

/**
 * Prints a failure once — a readable line on stderr, and under --json the document on stdout
 * — and returns the exit code it maps to.
 */
export function reportFailure(error: unknown, options: FailureOptions = {}): ExitCode {
  const summary = summarizeError(error);
  const known = error instanceof StepMigrateError;
  if (options.json) printJson({ status: 'failed', error: summary });
  const line = `stepmigrate: ${known ? `${summary.name}: ` : ''}${errorText(summary)}`;
  for (const part of wrapText(line, lineWidth(process.stderr))) process.stderr.write(`${part}\n`);
  if (!known && process.env.STEPMIGRATE_DEBUG && error instanceof Error) {
    process.stderr.write(`${error.stack}\n`);
  }
  return known ? exitCodeForError(summary.name) : ExitCode.rolledBack;
}

/** A usage error (commander already said what was wrong on stderr): exit 64, and JSON when asked. */
export function usageFailure(error: CommanderError, json: boolean): ExitCode {
  if (json) {
    printJson({
      status: 'failed',
      error: { name: 'UsageError', message: error.message.replace(/^error: /, '') },
    });
  }
  return ExitCode.usage;
}
