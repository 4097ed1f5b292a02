// The loader collects every problem of a migrations directory before it fails, so a
// person fixes them all in one go instead of one per run.
import { InputError } from '../errors.ts';

export interface LoaderProblem {
  /** File name, relative to the migrations directory. */
  file: string;
  /** 1-based line, when the problem is on one. */
  line?: number;
  message: string;
}

export function formatProblem(problem: LoaderProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  return `${where}: ${problem.message}`;
}

/**
 * One InputError for all problems. It carries the file and line of the first, so the CLI
 * points there; the message lists each one as `file:line: problem`.
 */
export function problemsError(problems: readonly LoaderProblem[], where: string): InputError {
  const [first] = problems;
  if (first === undefined) throw new Error('problemsError needs at least one problem');
  const context = { file: first.file, line: first.line };
  if (problems.length === 1) return new InputError(first.message, context);
  const list = problems.map((problem) => `  ${formatProblem(problem)}`).join('\n');
  return new InputError(`${problems.length} problems in ${where}:\n${list}`, context);
}

/** `where` names what was read: "migrations directory db/migrations", or a file name. */
export function throwIfProblems(problems: readonly LoaderProblem[], where: string): void {
  if (problems.length > 0) throw problemsError(problems, where);
}

/** The problems of a migrations directory, listed in file-name order so the list reads like the directory. */
export function throwIfDirectoryProblems(problems: LoaderProblem[], directory: string): void {
  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  throwIfProblems(problems, `migrations directory ${directory}`);
}
