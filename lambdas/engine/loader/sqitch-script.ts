// A Sqitch script as a migration section. Sqitch scripts wrap themselves in
// `BEGIN; … COMMIT;` (verify scripts in `BEGIN; … ROLLBACK;`). Sent as they are, they would
// commit the engine's own transaction before the history row is written. So when the
// transaction control is exactly the first and the last statement, it is overwritten with
// spaces (every other byte and newline stays, so error positions still point at the file)
// and the body runs in the engine's transaction, atomically with its history row — what
// Sqitch does, plus atomic bookkeeping. Anything else runs as written, statement by statement.
//
// psql meta-commands are done before (psql-script.ts); what reaches here is plain SQL. A
// script with nothing but comments, or only `BEGIN; COMMIT;`, is an empty section: psql runs
// it without doing anything, and so does stepmigrate.
import { InputError } from '../errors.ts';
import type { MigrationSection } from '../model.ts';
import { type SqlStatement, splitStatements, syntaxErrorMessage } from '../sql/parse.ts';
import type { LoaderProblem } from './problems.ts';
import { hasSql } from './sql-text.ts';
import { canRunInTransaction } from './transaction-hint.ts';

export type ScriptRole = 'deploy' | 'revert' | 'verify';

export interface ScriptSection {
  section: MigrationSection | null;
  problems: LoaderProblem[];
}

/** Needs the SQL parser loaded (`loadSqlParser()`). `sql` has normalised line endings. */
export function scriptSection(file: string, sql: string, role: ScriptRole): ScriptSection {
  let statements: SqlStatement[];
  try {
    statements = splitStatements(sql, { file, startLine: 1 });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const message = `${syntaxErrorMessage(error) ?? error.message} (column ${error.column ?? 1})`;
    return { section: null, problems: [{ file, line: error.line, message }] };
  }
  const control = statements.filter((statement) => transactionKind(statement) !== undefined);
  const wrapped = isWrapped(statements, control, role);
  if (role === 'verify' && control.length > 0 && !wrapped) {
    const line = control[0]!.line;
    const message = `the verify script controls transactions at line ${line} ("${control[0]!.sql}"); stepmigrate runs a verify script inside a transaction it always rolls back, so it may only be wrapped in BEGIN … ROLLBACK (or COMMIT) as a whole`;
    return { section: null, problems: [{ file, line, message }] };
  }
  const body = wrapped ? blankStatements(sql, [statements[0]!, statements.at(-1)!]) : sql;
  if (role === 'verify' && !hasSql(body)) return { section: null, problems: [] };
  const transaction = wrapped ? canRunInTransaction(body) : control.length === 0 && canRunInTransaction(sql);
  return { section: { sql: body, startLine: 1, transaction }, problems: [] };
}

function transactionKind(statement: SqlStatement): string | undefined {
  const node = (
    statement.ast as { TransactionStmt?: { kind?: string; options?: unknown[]; chain?: boolean } }
  ).TransactionStmt;
  if (!node) return undefined;
  // BEGIN with options (isolation level, read only) must keep them: it cannot be blanked.
  if (node.options?.length || node.chain) return `${node.kind}_WITH_OPTIONS`;
  return node.kind;
}

const opening = new Set(['TRANS_STMT_BEGIN', 'TRANS_STMT_START']);

/** True when the only transaction control is an opening first statement and a closing last one. */
function isWrapped(statements: SqlStatement[], control: SqlStatement[], role: ScriptRole): boolean {
  if (control.length !== 2 || statements.length < 2) return false;
  const [first, last] = [statements[0]!, statements.at(-1)!];
  if (control[0] !== first || control[1] !== last) return false;
  const closing = role === 'verify' ? ['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK'] : ['TRANS_STMT_COMMIT'];
  return opening.has(transactionKind(first)!) && closing.includes(transactionKind(last)!);
}

/** `sql` with each statement and its terminating semicolon replaced by spaces. */
export function blankStatements(sql: string, statements: readonly SqlStatement[]): string {
  const chars = [...sql];
  for (const statement of statements) {
    let index = codePointIndex(chars, statement.line, statement.column);
    const end = index + [...statement.sql].length;
    for (; index < end; index++) if (chars[index] !== '\n') chars[index] = ' ';
    while (index < chars.length && /\s/.test(chars[index]!)) index++;
    if (chars[index] === ';') chars[index] = ' ';
  }
  return chars.join('');
}

function codePointIndex(chars: readonly string[], line: number, column: number): number {
  let index = 0;
  for (let current = 1; current < line; index++) if (chars[index] === '\n') current++;
  return index + column - 1;
}
