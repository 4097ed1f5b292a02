// `check --setup <file.sql>`: what a project needs on its scratch database before its first
// migration can run — schemas, extensions, roles, a search_path — which production has and
// an empty database has not. Roles are not per database but per server, so a role the file
// creates may already exist from an earlier check (or from the server's own users): such a
// CREATE ROLE is skipped, and the roles this setup did create are dropped after the check.
import type { SqlConnection } from '../ports.ts';
import { InputError, messageOf } from './errors.ts';
import { quoteIdent } from './sql/identifiers.ts';
import { loadSqlParser, splitStatements } from './sql/parse.ts';

export interface SetupResult {
  /** Roles the setup created; drop them when the check is over (`dropSetupRoles`). */
  createdRoles: string[];
  /** Roles that existed already, whose CREATE ROLE was skipped. */
  existingRoles: string[];
  statements: number;
}

export async function runCheckSetup(conn: SqlConnection, sql: string, file: string): Promise<SetupResult> {
  await loadSqlParser();
  const statements = splitStatements(sql, { file, startLine: 1 });
  const result: SetupResult = { createdRoles: [], existingRoles: [], statements: statements.length };
  for (const statement of statements) {
    const role = createdRole(statement.ast);
    if (role !== undefined) {
      const { rows } = await conn.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      if (rows.length > 0) {
        result.existingRoles.push(role);
        continue;
      }
    }
    try {
      await conn.query(statement.sql);
      await keepSearchPath(conn, statement.sql);
    } catch (error) {
      throw new InputError(
        `check setup ${file}:${statement.line}:${statement.column} failed: ${messageOf(error)} — fix the setup file; the scratch database is dropped`,
        { file, line: statement.line, column: statement.column, cause: error },
      );
    }
    if (role !== undefined) result.createdRoles.push(role);
  }
  return result;
}

/**
 * `SET search_path` lasts as long as the setup's connection; the check opens others. Set it on
 * the scratch database too, so every connection of the check starts with it.
 */
async function keepSearchPath(conn: SqlConnection, sql: string): Promise<void> {
  const set = /^SET\s+(?:SESSION\s+)?search_path\b/i.exec(sql);
  if (!set) return;
  const { rows } = await conn.query<{ name: string }>('SELECT current_database() AS name');
  await conn.query(`ALTER DATABASE ${quoteIdent(rows[0]!.name)} SET search_path${sql.slice(set[0].length)}`);
}

/** The role a CREATE ROLE / USER / GROUP statement creates. */
function createdRole(ast: unknown): string | undefined {
  const create = (ast as { CreateRoleStmt?: { role?: string } } | undefined)?.CreateRoleStmt;
  return create?.role;
}

/**
 * Drops the roles a setup created, on a connection to another database of the same server
 * (the scratch database is gone by then). A role something else has come to depend on is
 * left, and named, rather than forced.
 */
export async function dropSetupRoles(conn: SqlConnection, roles: readonly string[]): Promise<string[]> {
  const left: string[] = [];
  for (const role of roles) {
    await conn.query(`DROP ROLE IF EXISTS ${quoteIdent(role)}`).catch(() => left.push(role));
  }
  return left;
}
