// Running one section (up or down) of one migration against the database.
//
// A transactional section runs in one transaction together with its history row, so it
// either happened completely and is recorded, or left no trace. A `transaction:false`
// section cannot promise that: it is recorded `dirty` before its first statement and
// cleared after its last, so a failure half-way is visible to every later run.

import type { SqlConnection } from '../ports.ts';
import type { HeldLock } from './advisory-lock.ts';
import { LockTimeoutError, MigrationError } from './errors.ts';
import { historyWriteSql, writeHistory } from './history.ts';
import { describeHolder, lockHolders } from './lock-holders.ts';
import { type Direction, type Migration, type MigrationSection, migrationLabel } from './model.ts';
import { analyzeMigration } from './sql/classify.ts';
import {
  type DatabaseErrorInfo,
  databaseErrorInfo,
  describeDatabaseError,
  isLockTimeout,
  locate,
} from './sql/database-error.ts';
import { quoteLiteralAnyMode } from './sql/identifiers.ts';
import { loadSqlParser, type SqlStatement, splitStatements } from './sql/parse.ts';
import { withTransaction } from './transaction.ts';

export interface SectionRun {
  migration: Migration;
  direction: Direction;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  historySchema: string;
  executionId: string;
  actor: string;
  /** Other writes that belong with this section's: in its transaction, around its SQL (adopt/). */
  alongside?: SectionHooks;
}

export interface SectionHooks {
  /** Before the section's first statement (a first run writes the imported history here). */
  before?: (conn: SqlConnection) => Promise<void>;
  /** After its last statement, before the history row is final. */
  after?: (conn: SqlConnection) => Promise<void>;
  /**
   * The step's advisory lock, given back right after COMMIT in the same round trip (one round
   * trip fewer per step). A section outside a transaction leaves it to the step guard.
   */
  releaseAfterCommit?: HeldLock;
}

export interface SectionResult {
  durationMs: number;
  statements: number;
}

function sectionOf(run: SectionRun): MigrationSection {
  const section = run.direction === 'up' ? run.migration.up : run.migration.down;
  if (!section) {
    throw new MigrationError(
      `migration ${migrationLabel(run.migration)} is irreversible: it has no down section to run; restore its backup instead`,
      { migration: run.migration.version, file: run.migration.file },
    );
  }
  return section;
}

/**
 * The section's timeouts as one statement with literal values, so it can go in the same round
 * trip as BEGIN. `local`: for this transaction only (SET LOCAL); otherwise for the session.
 */
function timeoutsSql(run: SectionRun, local: boolean): string {
  const setting = (name: string, ms: number) =>
    `set_config('${name}', ${quoteLiteralAnyMode(`${ms}ms`)}, ${local})`;
  return `SELECT ${setting('lock_timeout', run.lockTimeoutMs)}, ${setting('statement_timeout', run.statementTimeoutMs)}`;
}

/** Applies or reverts one migration section and records the outcome in schema_history. */
export async function runSection(conn: SqlConnection, run: SectionRun): Promise<SectionResult> {
  const section = sectionOf(run);
  return section.transaction
    ? runInTransaction(conn, run, section)
    : runStatementByStatement(conn, run, section);
}

/**
 * The section's statements, sent one at a time: an error without a server position (a
 * division by zero, a cancel, a constraint violation) then still names its own statement's
 * line, not the section's first.
 */
async function runInTransaction(conn: SqlConnection, run: SectionRun, section: MigrationSection) {
  await loadSqlParser();
  const statements = splitStatements(section.sql, { file: run.migration.file, startLine: section.startLine });
  const started = Date.now();
  try {
    const state = run.direction === 'up' ? 'applied' : 'rolled_back';
    // BEGIN goes with the timeouts and, when no hook runs between them, with the first
    // statement; the history row goes with COMMIT: the same statements in the same
    // transaction, in three round trips fewer.
    const opening = `BEGIN;\n${timeoutsSql(run, true)};\n`;
    const first = run.alongside?.before ? undefined : statements[0];
    const rest = first ? statements.slice(1) : statements;
    const send = (statement: SqlStatement, before = '') =>
      conn.query(before + statement.sql).catch((error: unknown) => {
        throw sectionError(run, section, statement, error, before.length);
      });
    const release = run.alongside?.releaseAfterCommit;
    const result = await withTransaction(
      conn,
      first ? () => send(first, opening) : opening.trimEnd(),
      async () => {
        await run.alongside?.before?.(conn);
        for (const statement of rest) await send(statement);
        await run.alongside?.after?.(conn);
        return { durationMs: Date.now() - started, statements: statements.length };
      },
      ({ durationMs }) =>
        [
          historyWriteSql(run.historySchema, historyRow(run, state, durationMs)),
          'COMMIT',
          release?.releaseSql,
        ]
          .filter((sql) => sql !== undefined)
          .join(';\n'),
    );
    if (release) release.released = true;
    return result;
  } catch (error) {
    // Only after the rollback has released our own locks is the list of holders meaningful.
    if (error instanceof LockTimeoutError) throw await namingBlockers(conn, run.migration, error);
    throw error;
  }
}

/** The same LockTimeoutError, saying which sessions hold locks on the tables the migration needs. */
async function namingBlockers(conn: SqlConnection, migration: Migration, error: LockTimeoutError) {
  try {
    await loadSqlParser();
    const holders = await lockHolders(conn, analyzeMigration(migration).affectedTables);
    if (holders.length === 0) return error;
    return new LockTimeoutError(
      `${error.message}; blocked by ${holders.slice(0, 3).map(describeHolder).join('; ')}`,
      {
        migration: error.migration,
        file: error.file,
        line: error.line,
        column: error.column,
        cause: error.cause,
      },
    );
  } catch {
    return error;
  }
}

async function runStatementByStatement(conn: SqlConnection, run: SectionRun, section: MigrationSection) {
  await loadSqlParser();
  const statements = splitStatements(section.sql, { file: run.migration.file, startLine: section.startLine });
  const started = Date.now();
  await run.alongside?.before?.(conn);
  await writeHistory(
    conn,
    run.historySchema,
    historyRow(run, 'dirty', null, `${run.direction} section started`),
  );
  await conn.query(timeoutsSql(run, false));
  try {
    for (const [index, statement] of statements.entries()) {
      try {
        await conn.query(statement.sql);
      } catch (error) {
        const failure = sectionError(run, section, statement, error);
        const progress = `statement ${index + 1} of ${statements.length} failed; statements before it had completed`;
        // A script with its own BEGIN leaves an aborted transaction open: end it, or the dirty
        // row below could not be written. Outside a transaction this is only a warning.
        await conn.query('ROLLBACK').catch(() => undefined);
        await writeHistory(
          conn,
          run.historySchema,
          historyRow(run, 'dirty', null, `${progress}: ${failure.message}`),
        ).catch(() => undefined);
        // A half-applied non-transactional section must not be retried blindly: it is dirty now.
        throw new MigrationError(`${failure.message}; ${progress}, so it is now marked dirty`, {
          migration: run.migration.version,
          file: failure.file,
          line: failure.line,
          column: failure.column,
          cause: error,
        });
      }
    }
  } finally {
    await conn.query('RESET lock_timeout; RESET statement_timeout').catch(() => undefined);
  }
  await run.alongside?.after?.(conn);
  const durationMs = Date.now() - started;
  await writeHistory(
    conn,
    run.historySchema,
    historyRow(run, run.direction === 'up' ? 'applied' : 'rolled_back', durationMs),
  );
  return { durationMs, statements: statements.length };
}

function historyRow(
  run: SectionRun,
  state: 'applied' | 'dirty' | 'rolled_back',
  durationMs: number | null,
  message?: string,
) {
  return {
    version: run.migration.version,
    name: run.migration.name,
    checksum: run.migration.checksum,
    state,
    direction: run.direction,
    actor: run.actor,
    executionId: run.executionId,
    durationMs: durationMs ?? undefined,
    message,
  };
}

/** A MigrationError (or LockTimeoutError) that points at the failing line of the file. */
function sectionError(
  run: SectionRun,
  section: MigrationSection,
  sent: Pick<SqlStatement, 'sql' | 'line' | 'column'>,
  error: unknown,
  /** Characters sent before the statement in the same query (BEGIN and the timeouts). */
  sentBefore = 0,
): MigrationError {
  const info: DatabaseErrorInfo = databaseErrorInfo(error);
  const file =
    run.direction === 'up' || !run.migration.downFile ? run.migration.file : run.migration.downFile;
  // A position inside what was sent before the statement is not the statement's.
  const position = info.position === undefined ? undefined : info.position - sentBefore;
  let where = { line: section.startLine, column: 1 };
  if (position !== undefined && position > 0) {
    where = locate(sent.sql, position, sent.line);
    if (where.line === sent.line) where.column += sent.column - 1;
  } else if (sent.line !== section.startLine) {
    where = { line: sent.line, column: sent.column };
  }
  const context = {
    migration: run.migration.version,
    file,
    line: where.line,
    column: where.column,
    cause: error,
  };
  const what = `migration ${migrationLabel(run.migration)} ${run.direction} failed at ${file}:${where.line}:${where.column}`;
  if (isLockTimeout(info)) {
    return new LockTimeoutError(
      `${what}: could not get a lock within lock_timeout ${run.lockTimeoutMs} ms (${info.message}); ` +
        'another session holds a conflicting lock — the run gives up instead of queueing behind it',
      context,
    );
  }
  return new MigrationError(`${what}: ${describeDatabaseError(info)}`, context);
}
