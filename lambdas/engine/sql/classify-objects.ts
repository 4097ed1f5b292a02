// Everything that is neither a table change nor data: functions, views, types, sequences,
// schemas, extensions, triggers, databases, transaction control and session settings.
import type { Node } from 'libpg-query';
import type { Change, ChangeKind } from './change.ts';
import type { StatementEffects } from './effects.ts';
import { qualify, relationName, stringsOf } from './names.ts';

export interface ObjectClassifyOptions {
  /** Major PostgreSQL version of the target (ALTER TYPE … ADD VALUE is transactional from 12). */
  postgresVersion: number;
}

/** Handles `node` if it is one of the statements this file knows; false otherwise. */
export function classifyObject(
  node: Node,
  effects: StatementEffects,
  options: ObjectClassifyOptions,
): boolean {
  const simple = simpleChange(node);
  if (simple !== undefined) {
    effects.change(simple);
    return true;
  }
  if ('TransactionStmt' in node) {
    const command = (node.TransactionStmt.kind ?? '').replace('TRANS_STMT_', '').replace('_', ' ');
    effects.ddl = false;
    effects.change({ kind: 'transaction_control', transactionCommand: command });
    return true;
  }
  if ('CreateTrigStmt' in node) {
    const table = relationName(node.CreateTrigStmt.relation);
    effects.lock(table, 'SHARE ROW EXCLUSIVE');
    const change: Change = { kind: 'create_trigger', object: node.CreateTrigStmt.trigname, table };
    if (node.CreateTrigStmt.replace) change.idempotent = true;
    effects.change(change);
    return true;
  }
  if ('AlterEnumStmt' in node) {
    const addsValue = node.AlterEnumStmt.oldVal === undefined;
    if (addsValue && options.postgresVersion < 12) effects.transactional = false;
    effects.change({ kind: 'alter_type', object: qualify(stringsOf(node.AlterEnumStmt.typeName)) });
    return true;
  }
  if ('AlterObjectSchemaStmt' in node && node.AlterObjectSchemaStmt.objectType === 'OBJECT_TABLE') {
    const table = relationName(node.AlterObjectSchemaStmt.relation);
    effects.lock(table, 'ACCESS EXCLUSIVE');
    effects.change({
      kind: 'move_table',
      object: table,
      table,
      newName: node.AlterObjectSchemaStmt.newschema ?? '',
    });
    return true;
  }
  return sessionOrServer(node, effects);
}

function created(kind: ChangeKind, object: string | undefined, idempotent: boolean | undefined): Change {
  return idempotent ? { kind, object, idempotent: true } : { kind, object };
}

function simpleChange(node: Node): Change | undefined {
  if ('CreateFunctionStmt' in node) {
    const stmt = node.CreateFunctionStmt;
    return created('create_function', qualify(stringsOf(stmt.funcname)), stmt.replace);
  }
  if ('ViewStmt' in node)
    return created('create_view', relationName(node.ViewStmt.view), node.ViewStmt.replace);
  if ('CreateTableAsStmt' in node) {
    const stmt = node.CreateTableAsStmt;
    const kind = stmt.objtype === 'OBJECT_MATVIEW' ? 'create_materialized_view' : 'create_table';
    const object = relationName(stmt.into?.rel);
    return kind === 'create_table'
      ? {
          kind,
          object,
          table: object,
          columns: [],
          constraints: [],
          ...(stmt.if_not_exists ? { idempotent: true } : {}),
        }
      : created(kind, object, stmt.if_not_exists);
  }
  if ('CreateEnumStmt' in node)
    return created('create_type', qualify(stringsOf(node.CreateEnumStmt.typeName)), false);
  if ('CompositeTypeStmt' in node)
    return created('create_type', relationName(node.CompositeTypeStmt.typevar), false);
  if ('CreateRangeStmt' in node)
    return created('create_type', qualify(stringsOf(node.CreateRangeStmt.typeName)), false);
  if ('CreateDomainStmt' in node)
    return created('create_type', qualify(stringsOf(node.CreateDomainStmt.domainname)), false);
  if ('DefineStmt' in node && node.DefineStmt.kind === 'OBJECT_TYPE') {
    return created(
      'create_type',
      qualify(stringsOf(node.DefineStmt.defnames)),
      node.DefineStmt.if_not_exists,
    );
  }
  if ('AlterDomainStmt' in node)
    return { kind: 'alter_type', object: qualify(stringsOf(node.AlterDomainStmt.typeName)) };
  if ('CreateSeqStmt' in node) {
    return created(
      'create_sequence',
      relationName(node.CreateSeqStmt.sequence),
      node.CreateSeqStmt.if_not_exists,
    );
  }
  if ('AlterSeqStmt' in node)
    return { kind: 'alter_sequence', object: relationName(node.AlterSeqStmt.sequence) };
  if ('CreateSchemaStmt' in node) {
    return created('create_schema', node.CreateSchemaStmt.schemaname, node.CreateSchemaStmt.if_not_exists);
  }
  if ('CreateExtensionStmt' in node) {
    return created(
      'create_extension',
      node.CreateExtensionStmt.extname,
      node.CreateExtensionStmt.if_not_exists,
    );
  }
  if ('CommentStmt' in node) return { kind: 'comment' };
  if ('GrantStmt' in node || 'GrantRoleStmt' in node) return { kind: 'grant' };
  if ('DoStmt' in node) return { kind: 'do_block' };
  return undefined;
}

function sessionOrServer(node: Node, effects: StatementEffects): boolean {
  if ('VariableSetStmt' in node || 'VariableShowStmt' in node) {
    effects.ddl = false;
    effects.change({ kind: 'set' });
    return true;
  }
  if ('CreatedbStmt' in node) {
    effects.transactional = false;
    effects.change({ kind: 'create_database', object: node.CreatedbStmt.dbname });
    return true;
  }
  if ('DropdbStmt' in node) {
    effects.transactional = false;
    effects.destroysUnnamed = `DROP DATABASE ${node.DropdbStmt.dbname ?? ''} deletes a whole database`;
    effects.change({ kind: 'drop_database', object: node.DropdbStmt.dbname });
    return true;
  }
  if ('DropOwnedStmt' in node) {
    effects.destroysUnnamed = 'DROP OWNED drops every table the role owns';
    effects.change({ kind: 'drop_owned' });
    return true;
  }
  if ('AlterSystemStmt' in node || 'CreateTableSpaceStmt' in node || 'DropTableSpaceStmt' in node) {
    effects.transactional = false;
    effects.change({ kind: 'AlterSystemStmt' in node ? 'alter_system' : 'other' });
    return true;
  }
  return false;
}
