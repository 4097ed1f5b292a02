// Indexes and maintenance commands: CREATE INDEX, REINDEX, VACUUM, ANALYZE, CLUSTER,
// REFRESH MATERIALIZED VIEW, LOCK. Several of them cannot run inside a transaction block.
import type {
  ClusterStmt,
  IndexStmt,
  LockStmt,
  Node,
  RefreshMatViewStmt,
  ReindexStmt,
  VacuumStmt,
} from 'libpg-query';
import type { Change } from './change.ts';
import { LOCK_MODES } from './change.ts';
import type { StatementEffects } from './effects.ts';
import { DEFAULT_SCHEMA, relationName } from './names.ts';

export function classifyCreateIndex(stmt: IndexStmt, effects: StatementEffects): void {
  const table = relationName(stmt.relation);
  const schema = stmt.relation?.schemaname ?? DEFAULT_SCHEMA;
  const change: Change = { kind: 'create_index', table };
  if (stmt.idxname !== undefined) change.object = `${schema}.${stmt.idxname}`;
  if (stmt.unique) change.unique = true;
  if (stmt.concurrent) change.concurrently = true;
  if (stmt.if_not_exists) change.idempotent = true;
  effects
    .lock(table, stmt.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE')
    .scan(table)
    .change(change);
  if (stmt.concurrent) effects.transactional = false;
}

function hasOption(options: Node[] | undefined, name: string): boolean {
  return (options ?? []).some((node) => 'DefElem' in node && node.DefElem.defname === name);
}

export function classifyReindex(stmt: ReindexStmt, effects: StatementEffects): void {
  const concurrently = hasOption(stmt.params, 'concurrently');
  const target = relationName(stmt.relation);
  const change: Change = { kind: 'reindex', object: target ?? stmt.name };
  if (concurrently) change.concurrently = true;
  effects.change(change);
  const wholeSchemaOrDatabase = stmt.kind !== 'REINDEX_OBJECT_INDEX' && stmt.kind !== 'REINDEX_OBJECT_TABLE';
  if (concurrently || wholeSchemaOrDatabase) effects.transactional = false;
  if (target === undefined) return;
  if (concurrently) effects.lock(target, 'SHARE UPDATE EXCLUSIVE');
  else effects.lock(target, stmt.kind === 'REINDEX_OBJECT_INDEX' ? 'ACCESS EXCLUSIVE' : 'SHARE');
  effects.scan(target);
}

export function classifyVacuum(stmt: VacuumStmt, effects: StatementEffects): void {
  const full = hasOption(stmt.options, 'full');
  effects.ddl = false;
  effects.change({ kind: stmt.is_vacuumcmd ? 'vacuum' : 'analyze' });
  if (stmt.is_vacuumcmd) effects.transactional = false;
  for (const node of stmt.rels ?? []) {
    if (!('VacuumRelation' in node)) continue;
    const table = relationName(node.VacuumRelation.relation);
    effects.lock(table, full ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE').scan(table);
    if (full) effects.rewrite(table);
  }
}

export function classifyCluster(stmt: ClusterStmt, effects: StatementEffects): void {
  const table = relationName(stmt.relation);
  effects.change({ kind: 'cluster', object: table, table });
  if (table === undefined) {
    effects.transactional = false;
    return;
  }
  effects.lock(table, 'ACCESS EXCLUSIVE').rewrite(table).scan(table);
}

export function classifyRefresh(stmt: RefreshMatViewStmt, effects: StatementEffects): void {
  const view = relationName(stmt.relation);
  effects.lock(view, stmt.concurrent ? 'EXCLUSIVE' : 'ACCESS EXCLUSIVE').rewrite(view);
  const change: Change = { kind: 'refresh_materialized_view', object: view };
  if (stmt.concurrent) change.concurrently = true;
  effects.change(change);
}

export function classifyLock(stmt: LockStmt, effects: StatementEffects): void {
  const mode = LOCK_MODES[(stmt.mode ?? 8) - 1] ?? 'ACCESS EXCLUSIVE';
  effects.ddl = false;
  for (const node of stmt.relations ?? []) {
    if ('RangeVar' in node) effects.lock(relationName(node.RangeVar), mode);
  }
  effects.change({ kind: 'lock' });
}
