// INSERT, UPDATE, DELETE, MERGE, COPY and SELECT: ROW EXCLUSIVE / ACCESS SHARE locks, and the
// tables whose rows they change. Data-modifying CTEs (WITH d AS (DELETE …)) count too.
import type {
  DeleteStmt,
  InsertStmt,
  MergeStmt,
  Node,
  SelectStmt,
  UpdateStmt,
  WithClause,
} from 'libpg-query';
import type { Change } from './change.ts';
import type { StatementEffects } from './effects.ts';
import { relationName } from './names.ts';

export function classifyData(node: Node, effects: StatementEffects): boolean {
  if ('InsertStmt' in node) return insert(node.InsertStmt, effects);
  if ('UpdateStmt' in node) return rowChange('update', node.UpdateStmt, effects);
  if ('DeleteStmt' in node) return rowChange('delete', node.DeleteStmt, effects);
  if ('MergeStmt' in node) return merge(node.MergeStmt, effects);
  if ('SelectStmt' in node) return select(node.SelectStmt, effects);
  if ('CopyStmt' in node) {
    const table = relationName(node.CopyStmt.relation);
    effects.ddl = false;
    effects.lock(table, node.CopyStmt.is_from ? 'ROW EXCLUSIVE' : 'ACCESS SHARE');
    effects.change({ kind: 'copy', object: table, table });
    return true;
  }
  return false;
}

function dataModifyingCtes(withClause: WithClause | undefined, effects: StatementEffects): void {
  for (const cte of withClause?.ctes ?? []) {
    if ('CommonTableExpr' in cte && cte.CommonTableExpr.ctequery !== undefined) {
      classifyData(cte.CommonTableExpr.ctequery, effects);
    }
  }
}

function insert(stmt: InsertStmt, effects: StatementEffects): boolean {
  const table = relationName(stmt.relation);
  dataModifyingCtes(stmt.withClause, effects);
  effects.ddl = false;
  effects.lock(table, 'ROW EXCLUSIVE');
  const select =
    stmt.selectStmt !== undefined && 'SelectStmt' in stmt.selectStmt ? stmt.selectStmt.SelectStmt : undefined;
  const change: Change = { kind: 'insert', object: table, table };
  if (select !== undefined && select.valuesLists === undefined) change.fromQuery = true;
  if (stmt.onConflictClause?.action === 'ONCONFLICT_UPDATE') effects.destroy(table);
  effects.change(change);
  return true;
}

/** UPDATE and DELETE: both change existing rows, all of them when there is no WHERE. */
function rowChange(
  kind: 'update' | 'delete',
  stmt: UpdateStmt | DeleteStmt,
  effects: StatementEffects,
): boolean {
  const table = relationName(stmt.relation);
  dataModifyingCtes(stmt.withClause, effects);
  effects.ddl = false;
  effects.lock(table, 'ROW EXCLUSIVE').destroy(table);
  const change: Change = { kind, object: table, table };
  if (stmt.whereClause === undefined) change.allRows = true;
  effects.change(change);
  return true;
}

function merge(stmt: MergeStmt, effects: StatementEffects): boolean {
  const table = relationName(stmt.relation);
  dataModifyingCtes(stmt.withClause, effects);
  effects.ddl = false;
  effects.lock(table, 'ROW EXCLUSIVE').destroy(table);
  effects.change({ kind: 'merge', object: table, table });
  return true;
}

function select(stmt: SelectStmt, effects: StatementEffects): boolean {
  dataModifyingCtes(stmt.withClause, effects);
  const into = relationName(stmt.intoClause?.rel);
  if (into !== undefined) {
    effects.change({ kind: 'create_table', object: into, table: into, columns: [], constraints: [] });
    return true;
  }
  effects.ddl = false;
  for (const from of stmt.fromClause ?? []) {
    if ('RangeVar' in from) effects.lock(relationName(from.RangeVar), 'ACCESS SHARE');
  }
  effects.change({ kind: 'select' });
  return true;
}
