// DROP, TRUNCATE and RENAME: the statements that destroy data or break the names running
// application code depends on.
import type { DropStmt, Node, RenameStmt, TruncateStmt } from 'libpg-query';
import type { Change, ChangeKind } from './change.ts';
import type { StatementEffects } from './effects.ts';
import { droppedObjectName, qualify, relationName, stringsOf } from './names.ts';

const DROP_KINDS: Partial<Record<string, ChangeKind>> = {
  OBJECT_TABLE: 'drop_table',
  OBJECT_FOREIGN_TABLE: 'drop_table',
  OBJECT_INDEX: 'drop_index',
  OBJECT_VIEW: 'drop_view',
  OBJECT_MATVIEW: 'drop_materialized_view',
  OBJECT_SEQUENCE: 'drop_sequence',
  OBJECT_FUNCTION: 'drop_function',
  OBJECT_PROCEDURE: 'drop_function',
  OBJECT_ROUTINE: 'drop_function',
  OBJECT_AGGREGATE: 'drop_function',
  OBJECT_TYPE: 'drop_type',
  OBJECT_DOMAIN: 'drop_type',
  OBJECT_SCHEMA: 'drop_schema',
  OBJECT_EXTENSION: 'drop_extension',
  OBJECT_TRIGGER: 'drop_trigger',
};

/** Dropping these with CASCADE also drops table columns of that type: data nobody named. */
const CASCADE_DROPS_COLUMNS = new Set(['drop_type', 'drop_extension']);

export function classifyDrop(stmt: DropStmt, effects: StatementEffects): void {
  const kind = DROP_KINDS[stmt.removeType ?? ''] ?? 'other';
  const cascade = stmt.behavior === 'DROP_CASCADE';
  for (const node of stmt.objects ?? []) {
    const change = dropChange(kind, node);
    if (cascade) change.cascade = true;
    if (stmt.missing_ok) change.idempotent = true;
    if (stmt.concurrent) change.concurrently = true;
    effects.change(change);
    dropEffects(change, effects);
  }
  if (cascade && kind === 'drop_schema') {
    effects.destroysUnnamed = 'DROP SCHEMA … CASCADE drops every table in the schema';
  }
  if (cascade && CASCADE_DROPS_COLUMNS.has(kind)) {
    effects.destroysUnnamed = `${kind === 'drop_type' ? 'DROP TYPE' : 'DROP EXTENSION'} … CASCADE drops every column of that type, in any table`;
  }
}

function dropChange(kind: ChangeKind, node: Node): Change {
  if (kind === 'drop_trigger' && 'List' in node) {
    const parts = stringsOf(node.List.items);
    return { kind, object: parts.at(-1), table: qualify(parts.slice(0, -1)) };
  }
  const object = droppedObjectName(node);
  return kind === 'drop_table' ? { kind, object, table: object } : { kind, object };
}

function dropEffects(change: Change, effects: StatementEffects): void {
  switch (change.kind) {
    case 'drop_table':
      effects.lock(change.table, 'ACCESS EXCLUSIVE').destroy(change.table);
      return;
    case 'drop_index':
      effects.lock(change.object, change.concurrently ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE');
      if (change.concurrently) effects.transactional = false;
      return;
    case 'drop_trigger':
      effects.lock(change.table, 'ACCESS EXCLUSIVE');
      return;
    case 'drop_view':
    case 'drop_materialized_view':
    case 'drop_sequence':
      effects.lock(change.object, 'ACCESS EXCLUSIVE');
      return;
    default:
      return;
  }
}

export function classifyTruncate(stmt: TruncateStmt, effects: StatementEffects): void {
  const cascade = stmt.behavior === 'DROP_CASCADE';
  for (const node of stmt.relations ?? []) {
    if (!('RangeVar' in node)) continue;
    const table = relationName(node.RangeVar);
    effects.lock(table, 'ACCESS EXCLUSIVE').destroy(table);
    effects.change(
      cascade
        ? { kind: 'truncate', object: table, table, cascade }
        : { kind: 'truncate', object: table, table },
    );
  }
  if (cascade)
    effects.destroysUnnamed = 'TRUNCATE … CASCADE also empties every table with a foreign key to it';
}

export function classifyRename(stmt: RenameStmt, effects: StatementEffects): void {
  const relation = relationName(stmt.relation);
  const newName = stmt.newname ?? '';
  switch (stmt.renameType) {
    case 'OBJECT_TABLE':
      effects
        .lock(relation, 'ACCESS EXCLUSIVE')
        .change({ kind: 'rename_table', object: relation, table: relation, newName });
      return;
    case 'OBJECT_COLUMN':
      effects.lock(relation, 'ACCESS EXCLUSIVE');
      effects.change({
        kind: 'rename_column',
        object: relation,
        table: relation,
        columnName: stmt.subname ?? '',
        newName,
      });
      return;
    case 'OBJECT_INDEX':
      effects
        .lock(relation, 'SHARE UPDATE EXCLUSIVE')
        .change({ kind: 'rename_index', object: relation, newName });
      return;
    case 'OBJECT_TABCONSTRAINT':
      effects.lock(relation, 'ACCESS EXCLUSIVE');
      effects.change({
        kind: 'rename_constraint',
        object: relation,
        table: relation,
        constraintName: stmt.subname ?? '',
        newName,
      });
      return;
    default:
      if (relation !== undefined) effects.lock(relation, 'ACCESS EXCLUSIVE');
      effects.change({ kind: 'other', object: relation, newName });
  }
}
