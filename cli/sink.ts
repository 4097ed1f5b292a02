// Where a command writes. Commands take a sink instead of touching process.stdout, so tests
// read what a user would have seen without spawning a process.
import { ExitCode, exitCodeForError, StepMigrateError, summarizeError } from '../lambdas/engine/errors.ts';
import { useColour } from './output.ts';

export interface OutputSink {
  /** One line of normal output (stdout). */
  out(line: string): void;
  /** One line of diagnostics or progress meant for people when stdout is machine-readable (stderr). */
  err(line: string): void;
  readonly colour: boolean;
}

export function processSink(): OutputSink {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    colour: useColour(process.stdout),
  };
}

/** A sink that keeps every line, for tests and for callers that post-process output. */
export function bufferSink(): OutputSink & { stdout: string[]; stderr: string[]; text(): string } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    colour: false,
    text: () => [...stdout, ...stderr].join('\n'),
  };
}

const ANSI = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;

export function paint(sink: OutputSink, colour: keyof typeof ANSI, text: string): string {
  return sink.colour ? `\u001b[${ANSI[colour]}m${text}\u001b[0m` : text;
}

/**
 * Runs a command whose --json output is one document even when it fails: the failure becomes
 * `{ ...document, error }` on stdout and the readable line on stderr, and the result is the
 * exit code the error maps to. Without --json the error goes on to main, which prints it.
 */
export async function jsonOnFailure(
  json: boolean | undefined,
  sink: OutputSink,
  document: Record<string, unknown>,
  run: () => Promise<ExitCode>,
): Promise<ExitCode> {
  if (!json) return run();
  try {
    return await run();
  } catch (error) {
    const summary = summarizeError(error);
    sink.out(JSON.stringify({ ...document, error: summary }, null, 2));
    sink.err(`stepmigrate: ${summary.name}: ${summary.message}`);
    return error instanceof StepMigrateError ? exitCodeForError(summary.name) : ExitCode.rolledBack;
  }
}
