// CREATE TABLE and ALTER TABLE: the statements whose lock level and table rewrites decide
// whether a migration stalls production. Lock levels follow the PostgreSQL ALTER TABLE
// reference: ACCESS EXCLUSIVE "unless explicitly noted".
import type { AlterTableCmd, AlterTableStmt, CreateStmt, Node } from 'libpg-query';
import type { Change, ColumnInfo, ConstraintInfo, LockMode } from './change.ts';
import { columnInfo, constraintInfo } from './columns.ts';
import type { StatementEffects } from './effects.ts';
import { relationName } from './names.ts';

export function classifyCreateTable(stmt: CreateStmt, effects: StatementEffects): void {
  const table = relationName(stmt.relation);
  const columns: ColumnInfo[] = [];
  const constraints: ConstraintInfo[] = [];
  for (const element of stmt.tableElts ?? []) {
    if ('ColumnDef' in element) columns.push(columnInfo(element.ColumnDef));
    if ('Constraint' in element) {
      const info = constraintInfo(element.Constraint);
      if (info !== undefined) constraints.push(info);
    }
  }
  const referenced = [...columns.map((c) => c.references), ...constraints.map((c) => c.references)];
  for (const ref of referenced) effects.lock(ref, 'SHARE ROW EXCLUSIVE');
  if (stmt.partbound !== undefined) {
    for (const parent of stmt.inhRelations ?? []) {
      if ('RangeVar' in parent) effects.lock(relationName(parent.RangeVar), 'ACCESS EXCLUSIVE');
    }
  }
  const change: Change = { kind: 'create_table', object: table, table, columns, constraints };
  if (stmt.if_not_exists) change.idempotent = true;
  effects.change(change);
}

export function classifyAlterTable(stmt: AlterTableStmt, effects: StatementEffects): void {
  const table = relationName(stmt.relation);
  for (const node of stmt.cmds ?? []) {
    if ('AlterTableCmd' in node) classifyAlterTableCmd(table, node.AlterTableCmd, effects);
  }
}

const SHARE_UPDATE_EXCLUSIVE_COMMANDS = new Set([
  'AT_SetStatistics',
  'AT_SetOptions',
  'AT_ResetOptions',
  'AT_ClusterOn',
  'AT_DropCluster',
  'AT_SetRelOptions',
  'AT_ResetRelOptions',
]);

const TRIGGER_COMMANDS = new Set([
  'AT_EnableTrig',
  'AT_EnableAlwaysTrig',
  'AT_EnableReplicaTrig',
  'AT_DisableTrig',
  'AT_EnableTrigAll',
  'AT_DisableTrigAll',
  'AT_EnableTrigUser',
  'AT_DisableTrigUser',
]);

const REWRITING_COMMANDS = new Set([
  'AT_SetLogged',
  'AT_SetUnLogged',
  'AT_SetTableSpace',
  'AT_SetAccessMethod',
  'AT_SetExpression',
]);

type CommandHandler = (table: string | undefined, cmd: AlterTableCmd, effects: StatementEffects) => void;

const COMMAND_HANDLERS: Partial<Record<string, CommandHandler>> = {
  AT_AddColumn: addColumn,
  AT_AddConstraint: (table, cmd, effects) => addConstraint(table, cmd.def, effects),
  AT_AlterColumnType: alterColumnType,
  AT_DropColumn: (table, cmd, effects) => {
    effects
      .lock(table, 'ACCESS EXCLUSIVE')
      .destroy(table)
      .change(named('drop_column', table, cmd));
  },
  AT_SetNotNull: (table, cmd, effects) => {
    effects
      .lock(table, 'ACCESS EXCLUSIVE')
      .scan(table)
      .change(named('set_not_null', table, cmd));
  },
  AT_DropNotNull: (table, cmd, effects) => {
    effects.lock(table, 'ACCESS EXCLUSIVE').change(named('drop_not_null', table, cmd));
  },
  AT_ColumnDefault: (table, cmd, effects) => {
    const kind = cmd.def === undefined ? 'drop_default' : 'set_default';
    effects.lock(table, 'ACCESS EXCLUSIVE').change(named(kind, table, cmd));
  },
  AT_ValidateConstraint: (table, cmd, effects) => {
    effects.lock(table, 'SHARE UPDATE EXCLUSIVE').scan(table);
    effects.change(constraintByName('validate_constraint', table, cmd));
  },
  AT_DropConstraint: (table, cmd, effects) => {
    effects.lock(table, 'ACCESS EXCLUSIVE').change(constraintByName('drop_constraint', table, cmd));
  },
  AT_AttachPartition: (table, cmd, effects) =>
    partitionCommand(table, 'AT_AttachPartition', cmd.def, effects),
  AT_DetachPartition: (table, cmd, effects) =>
    partitionCommand(table, 'AT_DetachPartition', cmd.def, effects),
};

function classifyAlterTableCmd(
  table: string | undefined,
  cmd: AlterTableCmd,
  effects: StatementEffects,
): void {
  const subtype = cmd.subtype ?? '';
  const handler = COMMAND_HANDLERS[subtype];
  if (handler !== undefined) handler(table, cmd, effects);
  else otherAlterTableCmd(table, subtype, effects);
}

function otherAlterTableCmd(table: string | undefined, subtype: string, effects: StatementEffects): void {
  let mode: LockMode = 'ACCESS EXCLUSIVE';
  if (SHARE_UPDATE_EXCLUSIVE_COMMANDS.has(subtype)) mode = 'SHARE UPDATE EXCLUSIVE';
  if (TRIGGER_COMMANDS.has(subtype)) mode = 'SHARE ROW EXCLUSIVE';
  effects.lock(table, mode);
  if (REWRITING_COMMANDS.has(subtype)) effects.rewrite(table).scan(table);
  effects.change({ kind: 'alter_table', object: table, table });
}

function named(kind: Change['kind'], table: string | undefined, cmd: AlterTableCmd): Change {
  const change: Change = { kind, object: table, table };
  if (cmd.name !== undefined) change.columnName = cmd.name;
  if (cmd.behavior === 'DROP_CASCADE') change.cascade = true;
  if (cmd.missing_ok) change.idempotent = true;
  return change;
}

function constraintByName(kind: Change['kind'], table: string | undefined, cmd: AlterTableCmd): Change {
  const change: Change = { kind, object: table, table };
  if (cmd.name !== undefined) change.constraintName = cmd.name;
  if (cmd.missing_ok) change.idempotent = true;
  return change;
}

function addColumn(table: string | undefined, cmd: AlterTableCmd, effects: StatementEffects): void {
  if (cmd.def === undefined || !('ColumnDef' in cmd.def)) return;
  const column = columnInfo(cmd.def.ColumnDef);
  effects.lock(table, 'ACCESS EXCLUSIVE');
  if (column.volatileDefault || column.generatedStored) effects.rewrite(table).scan(table);
  if (column.primaryKey || column.unique || column.check) effects.scan(table);
  if (column.references !== undefined) effects.lock(column.references, 'SHARE ROW EXCLUSIVE').scan(table);
  const change: Change = { kind: 'add_column', object: table, table, column, columnName: column.name };
  if (column.location !== undefined) change.location = column.location;
  if (cmd.missing_ok) change.idempotent = true;
  effects.change(change);
}

function addConstraint(table: string | undefined, def: Node | undefined, effects: StatementEffects): void {
  if (def === undefined || !('Constraint' in def)) return;
  const constraint = constraintInfo(def.Constraint);
  if (constraint === undefined) return;
  if (constraint.type === 'foreign_key') {
    effects.lock(table, 'SHARE ROW EXCLUSIVE').lock(constraint.references, 'SHARE ROW EXCLUSIVE');
  } else {
    effects.lock(table, 'ACCESS EXCLUSIVE');
  }
  if (!constraint.notValid && !constraint.usingIndex) effects.scan(table);
  const change: Change = { kind: 'add_constraint', object: table, table, constraint };
  if (constraint.location !== undefined) change.location = constraint.location;
  effects.change(change);
}

function alterColumnType(table: string | undefined, cmd: AlterTableCmd, effects: StatementEffects): void {
  effects.lock(table, 'ACCESS EXCLUSIVE').rewrite(table).scan(table).destroy(table);
  const change = named('alter_column_type', table, cmd);
  if (cmd.def !== undefined && 'ColumnDef' in cmd.def) {
    change.column = columnInfo({ ...cmd.def.ColumnDef, colname: cmd.name });
    if (change.column.location !== undefined) change.location = change.column.location;
  }
  effects.change(change);
}

function partitionCommand(
  table: string | undefined,
  subtype: string,
  def: Node | undefined,
  effects: StatementEffects,
): void {
  const partitionCmd = def !== undefined && 'PartitionCmd' in def ? def.PartitionCmd : undefined;
  const partition = relationName(partitionCmd?.name);
  if (subtype === 'AT_AttachPartition') {
    effects.lock(table, 'SHARE UPDATE EXCLUSIVE').lock(partition, 'ACCESS EXCLUSIVE').scan(partition);
  } else if (partitionCmd?.concurrent) {
    effects.lock(table, 'SHARE UPDATE EXCLUSIVE').lock(partition, 'SHARE UPDATE EXCLUSIVE');
    effects.transactional = false;
  } else {
    effects.lock(table, 'ACCESS EXCLUSIVE').lock(partition, 'ACCESS EXCLUSIVE');
  }
  effects.change({ kind: 'alter_table', object: table, table });
}
