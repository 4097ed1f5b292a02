// Splits SQL into statements with the real PostgreSQL parser (libpg-query, WASM), so that what
// we lint and classify is exactly what the server will see: dollar quotes, nested comments,
// E'' strings and semicolons inside function bodies are handled by PostgreSQL's own grammar.
//
// libpg-query reports statement ranges in UTF-8 BYTE offsets and error positions in 0-based
// CHARACTER (code point) offsets; everything here converts both to 1-based file line/column,
// where a column counts characters (code points), not bytes.
import v8 from 'node:v8';
import type { Node } from 'libpg-query';
import { InputError, messageOf } from '../errors.ts';
import { positionOfCharOffset, SectionPositions } from './positions.ts';

export interface SqlStatement {
  /** The statement text, without the terminating semicolon and surrounding comments. */
  sql: string;
  /** 1-based line in the file where the statement starts. */
  line: number;
  /** 1-based column (in characters) where the statement starts. */
  column: number;
  /** The parse node, e.g. `{ CreateStmt: {...} }`; `location` fields inside are byte offsets into the section. */
  ast: Node;
}

export interface SqlOrigin {
  /** File the SQL comes from, for error messages. */
  file: string;
  /** 1-based line in `file` where the SQL starts. */
  startLine: number;
}

type PgQuery = typeof import('libpg-query');

let loading: Promise<void> | undefined;
let pgQuery: PgQuery | undefined;

/**
 * Loads the WASM parser once; every later call returns the same promise. The module is
 * imported here rather than at the top because importing libpg-query reads and compiles its
 * 1.7 MB of WebAssembly at once: a Lambda step that bundles the parser pays for that on its
 * first parse instead of in its cold start, and a step that never parses (Backup of a run
 * with no down sections) never pays.
 */
export function loadSqlParser(): Promise<void> {
  loading ??= Promise.resolve().then(async () => {
    keepWebAssemblyOnBaselineCompiler();
    const module = await import('libpg-query');
    await module.loadModule();
    pgQuery = module;
  });
  return loading;
}

/**
 * V8 compiles the parser's WebAssembly with its baseline compiler (Liftoff), then compiles it
 * all again with its optimizing one on another thread: about 370 ms of CPU in every process
 * that parses, spent on the core a local database server needs (and a short process's exit
 * waits for it), for no faster parse of a run's migrations (1 MB of SQL within noise). So the
 * process keeps to the baseline code. The flag is set here, just before the parser compiles,
 * not when the process starts: changing a V8 flag makes the code compiled after it miss V8's
 * caches, which costs a command that loads its modules afterwards some 20 ms. It only
 * concerns WebAssembly: the parser, and the HTTP parser of Node's fetch, which the local
 * runner loads only to call its RDS stand-in for a database snapshot (a few small responses).
 */
function keepWebAssemblyOnBaselineCompiler(): void {
  v8.setFlagsFromString('--liftoff-only');
}

function parser(caller: string): PgQuery {
  if (!pgQuery) throw new Error(`${caller}: the SQL parser is not loaded; await loadSqlParser() first`);
  return pgQuery;
}

/** PostgreSQL's scanner: the tokens of `sql`, comments included. Needs loadSqlParser() first. */
export function scanSql(sql: string): ReturnType<PgQuery['scanSync']> {
  return parser('scanSql').scanSync(sql);
}

/**
 * Splits `sql` into its statements. Comments-only input gives []. Throws `InputError` with
 * the file, line and column of a syntax error and PostgreSQL's own message.
 */
export function splitStatements(sql: string, origin: SqlOrigin): SqlStatement[] {
  parser('splitStatements');
  if (sql.trim() === '') return [];
  const key = `${origin.startLine}\n${sql}`;
  const cached = parsed.get(key);
  if (cached !== undefined) return cached;
  const statements = splitUncached(sql, origin);
  if (parsedBytes + key.length > MAX_PARSED_BYTES) {
    parsed.clear();
    parsedBytes = 0;
  }
  parsed.set(key, statements);
  parsedBytes += key.length;
  return statements;
}

/**
 * Sections already split, by start line and text: the loader, Validate, Apply, Verify and
 * Rollback each split the same sections, and a parse call costs about a millisecond however
 * small the section. Bounded by the SQL's size; the statements are shared, never changed.
 * Only successes are kept: a syntax error is parsed again, to be reported with its own file.
 */
const parsed = new Map<string, SqlStatement[]>();
const MAX_PARSED_BYTES = 32 * 1024 * 1024;
let parsedBytes = 0;

function splitUncached(sql: string, origin: SqlOrigin): SqlStatement[] {
  const bytes = Buffer.from(sql, 'utf8');
  const stmts = parseOrThrow(sql, origin);
  const positions = new SectionPositions(bytes, origin.startLine);
  const statements: SqlStatement[] = [];
  for (const raw of stmts) {
    if (raw.stmt === undefined) continue;
    const start = raw.stmt_location ?? 0;
    const end = raw.stmt_len === undefined || raw.stmt_len === 0 ? bytes.length : start + raw.stmt_len;
    const range = trimToTokens(bytes, start, end);
    if (range === undefined) continue;
    const { line, column } = positions.at(range.start);
    statements.push({ sql: bytes.toString('utf8', range.start, range.end), line, column, ast: raw.stmt });
  }
  return statements;
}

/** The cause of a syntax-error InputError: PostgreSQL's own message, without our location prefix. */
export class SqlSyntaxDetails extends Error {
  constructor(readonly postgresMessage: string) {
    super(postgresMessage);
    this.name = 'SqlSyntaxDetails';
  }
}

/** PostgreSQL's message when `error` is a syntax error from splitStatements, else undefined. */
export function syntaxErrorMessage(error: unknown): string | undefined {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof SqlSyntaxDetails ? cause.postgresMessage : undefined;
}

interface RawStmt {
  stmt?: Node;
  stmt_location?: number;
  stmt_len?: number;
}

function parseOrThrow(sql: string, origin: SqlOrigin): RawStmt[] {
  try {
    return (parser('splitStatements').parseSync(sql).stmts ?? []) as RawStmt[];
  } catch (error) {
    const details = (error as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
    const message = details?.message ?? messageOf(error);
    const { line, column } = positionOfCharOffset(sql, details?.cursorPosition ?? 0, origin.startLine);
    throw new InputError(`${origin.file}:${line}:${column}: ${message}`, {
      file: origin.file,
      line,
      column,
      cause: new SqlSyntaxDetails(message),
    });
  }
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d, 0x0c, 0x0b]);

/**
 * Narrows a byte range to its first and last real token, dropping whitespace, comments and
 * the semicolon. The scanner only runs when the text may hold a comment, which keeps 1 MB fast.
 */
function trimToTokens(bytes: Buffer, start: number, end: number): { start: number; end: number } | undefined {
  while (start < end && WHITESPACE.has(bytes[start]!)) start++;
  while (end > start && (WHITESPACE.has(bytes[end - 1]!) || bytes[end - 1] === 0x3b)) end--;
  if (start >= end) return undefined;
  const text = bytes.toString('utf8', start, end);
  if (!text.includes('--') && !text.includes('/*')) return { start, end };
  const tokens = scanSql(text).tokens.filter(
    (token) => token.tokenName !== 'SQL_COMMENT' && token.tokenName !== 'C_COMMENT',
  );
  if (tokens.length === 0) return undefined;
  let last = tokens.length - 1;
  while (last > 0 && tokens[last]!.text === ';') last--;
  return { start: start + tokens[0]!.start, end: start + tokens[last]!.end };
}
