// The psql meta-commands that Sqitch scripts use, done the way psql does them, so a script
// that psql runs gives PostgreSQL the same SQL here (Sqitch runs every script with
// `psql --file … --set ON_ERROR_STOP=1` plus the variables of sqitch.conf):
// - `\set name value…` and `\unset name`; `:name`, `:'name'` and `:"name"` are replaced by
//   the value as is, as a string literal and as a quoted identifier, outside strings, quoted
//   identifiers, comments and dollar quotes; an unknown variable is left as written;
// - `\set ON_ERROR_STOP on` (stepmigrate always stops at the first error) and display-only
//   settings (QUIET, ECHO, VERBOSITY …);
// - `\i`/`\include` (relative to the project directory, where Sqitch starts psql) and
//   `\ir`/`\include_relative` (relative to the including file): the file's text in its place;
// - `\echo`, `\qecho`, `\warn` print only: they are dropped.
// Every other meta-command is refused with its file, line and a rewrite: psql's client-side
// logic (`\gexec`, `\if`, backquoted shell commands, `\connect`) has no equivalent when SQL
// goes to PostgreSQL directly. Handled commands are blanked with spaces, so a script without
// includes keeps every statement on its line.
import { posix } from 'node:path';
import type { LoaderProblem } from './problems.ts';

export interface PsqlContext {
  /** psql variables in force at the start (sqitch.conf's, plus those Sqitch sets). */
  variables: Readonly<Record<string, string>>;
  /** Text of a file by its path relative to the project directory, or undefined when absent. */
  readFile(path: string): string | undefined;
}

export interface PsqlResult {
  sql: string;
  problems: LoaderProblem[];
  /** Every file whose text was included, relative to the project directory. */
  included: string[];
}

const DISPLAY_ONLY = new Set([
  'QUIET',
  'ECHO',
  'ECHO_HIDDEN',
  'VERBOSITY',
  'SHOW_CONTEXT',
  'PROMPT1',
  'PROMPT2',
  'PROMPT3',
  'HIDE_TABLEAM',
  'HIDE_TOAST_COMPRESSION',
]);
// psql's own variables whose values change how it runs SQL: they cannot be honoured here.
const BEHAVIOUR = new Set(['AUTOCOMMIT', 'ON_ERROR_ROLLBACK', 'SINGLELINE', 'SINGLESTEP', 'FETCH_COUNT']);
const PRINT_ONLY = new Set(['echo', 'qecho', 'warn']);
const MAX_INCLUDE_DEPTH = 16;

/** Meta-commands done and variables interpolated; `file` is relative to the project directory. */
export function runPsqlMetaCommands(file: string, sql: string, context: PsqlContext): PsqlResult {
  const variables = new Map(Object.entries(context.variables));
  const result: PsqlResult = { sql: '', problems: [], included: [] };
  result.sql = expand(file, sql, [file], variables, context, result);
  return result;
}

function expand(
  file: string,
  sql: string,
  stack: readonly string[],
  variables: Map<string, string>,
  context: PsqlContext,
  result: PsqlResult,
): string {
  let out = '';
  let i = 0;
  const lineAt = (index: number) => countLines(sql, index);
  const report = (index: number, message: string) =>
    result.problems.push({ file, line: lineAt(index), message });
  while (i < sql.length) {
    const skipped = skipLiteralOrComment(sql, i);
    if (skipped > i) {
      out += sql.slice(i, skipped);
      i = skipped;
      continue;
    }
    const char = sql[i]!;
    if (char === ':' && sql[i + 1] !== ':' && sql[i - 1] !== ':') {
      const variable = /^:(?:'([\p{L}\p{N}_]+)'|"([\p{L}\p{N}_]+)"|([\p{L}\p{N}_]+))/u.exec(sql.slice(i));
      const name = variable && (variable[1] ?? variable[2] ?? variable[3])!;
      const value = name === null || name === undefined ? undefined : variables.get(name);
      if (variable && value !== undefined) {
        out += variable[1] ? quoteLiteral(value) : variable[2] ? quoteIdentifier(value) : value;
        i += variable[0].length;
        continue;
      }
    }
    if (char === '\\') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      const command = sql.slice(i, stop);
      out += metaCommand(file, command, i, stack, variables, context, result, report);
      i = stop;
      continue;
    }
    out += char;
    i++;
  }
  return out;
}

function metaCommand(
  file: string,
  command: string,
  at: number,
  stack: readonly string[],
  variables: Map<string, string>,
  context: PsqlContext,
  result: PsqlResult,
  report: (index: number, message: string) => void,
): string {
  const blank = command.replace(/[^\n]/g, ' ');
  // A lone backslash at the end of a line names no command: psql refuses it too.
  const match = /^\\([A-Za-z_]+|.)\s*(.*)$/s.exec(command);
  const name = match?.[1] ?? '';
  const args = match?.[2]?.trim() ?? '';
  const refuse = (rewrite: string) => {
    report(
      at,
      `psql meta-command "${command.trim()}": stepmigrate sends SQL to PostgreSQL directly, not through psql, so it cannot run it; ${rewrite}`,
    );
    return blank;
  };
  if (PRINT_ONLY.has(name)) return blank;
  if (name === 'set' || name === 'unset') return setCommand(name, args, variables, refuse) ?? blank;
  if (['i', 'include', 'ir', 'include_relative'].includes(name)) {
    const words = splitArguments(args, variables);
    if (typeof words === 'string') return refuse(words);
    if (words.length !== 1) return refuse(`give it exactly one file name`);
    const relative = name === 'ir' || name === 'include_relative';
    const base = relative ? posix.dirname(file) : '.';
    const path = posix.normalize(posix.join(base, words[0]!));
    if (posix.isAbsolute(words[0]!) || path.startsWith('../') || path === '..') {
      return refuse(`the file ${words[0]} is outside the project directory; move it into the project`);
    }
    if (stack.includes(path) || stack.length > MAX_INCLUDE_DEPTH) {
      return refuse(`${path} includes itself (${[...stack, path].join(' → ')}); break the cycle`);
    }
    const text = context.readFile(path);
    if (text === undefined) return refuse(`the included file ${path} does not exist; add it or fix the path`);
    result.included.push(path);
    const body = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
    return expand(
      path,
      body.endsWith('\n') ? body.slice(0, -1) : body,
      [...stack, path],
      variables,
      context,
      result,
    );
  }
  return refuse(rewriteFor(name));
}

function setCommand(
  name: 'set' | 'unset',
  args: string,
  variables: Map<string, string>,
  refuse: (rewrite: string) => string,
): string | undefined {
  const words = splitArguments(args, variables);
  if (typeof words === 'string') return refuse(words.replace('<name>', args.split(/\s+/)[0] || 'name'));
  const [variable, ...values] = words;
  if (variable === undefined) return refuse('write \\set <name> <value>');
  if (name === 'unset') {
    variables.delete(variable);
    return undefined;
  }
  const value = values.join('');
  if (variable === 'ON_ERROR_STOP') {
    if (isPsqlTrue(value)) return undefined;
    return refuse(
      'stepmigrate always stops at the first error and rolls back; remove the line and make every statement succeed (e.g. IF EXISTS / IF NOT EXISTS)',
    );
  }
  if (DISPLAY_ONLY.has(variable)) return undefined;
  if (BEHAVIOUR.has(variable)) {
    return refuse(
      `${variable} changes how psql runs the SQL; remove the line (stepmigrate runs the script ${variable === 'AUTOCOMMIT' ? 'in one transaction when it can' : 'as written, stopping at the first error'})`,
    );
  }
  variables.set(variable, value);
  return undefined;
}

/** psql's reading of a meta-command's arguments: blanks separate, quotes group, variables interpolate. */
function splitArguments(args: string, variables: ReadonlyMap<string, string>): string[] | string {
  const words: string[] = [];
  let i = 0;
  while (i < args.length) {
    while (/\s/.test(args[i] ?? '')) i++;
    if (i >= args.length) break;
    let word = '';
    while (i < args.length && !/\s/.test(args[i]!)) {
      const char = args[i]!;
      if (char === '`') {
        return 'psql runs backquoted shell commands on the machine that runs it, which stepmigrate never does; set the value in sqitch.conf instead ([deploy "variables"] <name> = <value>), or write it into the SQL';
      }
      if (char === "'") {
        const end = closingQuote(args, i);
        if (end === -1) return 'close the quoted argument';
        word += args
          .slice(i + 1, end)
          .replace(/''/g, "'")
          .replace(/\\(.)/g, (_, c: string) => unescapeChar(c));
        i = end + 1;
      } else if (char === ':' && /^:[\p{L}\p{N}_]/u.test(args.slice(i))) {
        const variable = /^:([\p{L}\p{N}_]+)/u.exec(args.slice(i))!;
        word += variables.get(variable[1]!) ?? variable[0];
        i += variable[0].length;
      } else {
        word += char;
        i++;
      }
    }
    words.push(word);
  }
  return words;
}

function closingQuote(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === "'" && text[i + 1] === "'") i++;
    else if (text[i] === "'") return i;
  }
  return -1;
}

function unescapeChar(char: string): string {
  return char === 'n' ? '\n' : char === 't' ? '\t' : char === 'r' ? '\r' : char;
}

function isPsqlTrue(value: string): boolean {
  return ['on', 'true', 'yes', '1', 't', 'y', ''].includes(value.toLowerCase());
}

function rewriteFor(name: string): string {
  switch (name) {
    case 'c':
    case 'connect':
      return 'a script runs on the run’s database only; move the changes for the other database into its own project';
    case 'gexec':
      return 'generate and run the statements in a DO block instead (DO $$ … EXECUTE format(…); … $$)';
    case 'gset':
      return 'compute the value inside the SQL (a subquery, or a DO block with a variable) instead of a psql variable';
    case 'if':
    case 'elif':
    case 'else':
    case 'endif':
      return 'write the condition in SQL: a DO block with IF … THEN … END IF';
    case 'copy':
      return 'load the rows with INSERT … VALUES (or COPY … FROM STDIN is not possible either): write them into the script';
    case '!':
    case 'setenv':
    case 'getenv':
      return 'stepmigrate never runs shell commands; do that step outside the migration';
    default:
      return 'write its effect in SQL, or remove it if it only changes how psql displays results';
  }
}

/** Index just past the literal, quoted identifier or comment at `i`, or `i` when none starts there. */
export function skipLiteralOrComment(sql: string, i: number): number {
  const char = sql[i];
  if (char === '-' && sql[i + 1] === '-') {
    const end = sql.indexOf('\n', i);
    return end === -1 ? sql.length : end;
  }
  if (char === '/' && sql[i + 1] === '*') {
    let depth = 0;
    for (let j = i; j < sql.length; j++) {
      if (sql.startsWith('/*', j)) {
        depth++;
        j++;
      } else if (sql.startsWith('*/', j)) {
        depth--;
        j++;
        if (depth === 0) return j + 1;
      }
    }
    return sql.length;
  }
  if (char === "'") {
    const escapes = /[Ee]/.test(sql[i - 1] ?? '') && !/[\p{L}\p{N}_$]/u.test(sql[i - 2] ?? '');
    for (let j = i + 1; j < sql.length; j++) {
      if (escapes && sql[j] === '\\') j++;
      else if (sql[j] === "'" && sql[j + 1] === "'") j++;
      else if (sql[j] === "'") return j + 1;
    }
    return sql.length;
  }
  if (char === '"') {
    const end = sql.indexOf('"', i + 1);
    return end === -1 ? sql.length : end + 1;
  }
  if (char === '$' && !/[\p{L}\p{N}_$]/u.test(sql[i - 1] ?? '')) {
    const tag = /^\$(?:[\p{L}_][\p{L}\p{N}_]*)?\$/u.exec(sql.slice(i));
    if (tag) {
      const end = sql.indexOf(tag[0], i + tag[0].length);
      return end === -1 ? sql.length : end + tag[0].length;
    }
  }
  return i;
}

function countLines(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text[i] === '\n') line++;
  return line;
}

/** `value` as psql's :'name' writes it (PQescapeLiteral). */
function quoteLiteral(value: string): string {
  const doubled = value.replace(/'/g, "''");
  return value.includes('\\') ? ` E'${doubled.replace(/\\/g, '\\\\')}'` : `'${doubled}'`;
}

/** `value` as psql's :"name" writes it (PQescapeIdentifier). */
function quoteIdentifier(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}
