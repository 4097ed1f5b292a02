// Reading column definitions and constraints out of CREATE TABLE / ALTER TABLE parse nodes.
import type { ColumnDef, Constraint, Node } from 'libpg-query';
import type { ColumnInfo, ConstraintInfo, ConstraintType } from './change.ts';
import { baseTypeName, relationName, stringsOf, typeModifiers } from './names.ts';
import { isVolatileExpression } from './volatility.ts';

const SERIAL_TYPES = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);

export function columnInfo(def: ColumnDef): ColumnInfo {
  const type = baseTypeName(def.typeName);
  const serial = SERIAL_TYPES.has(type);
  const info: ColumnInfo = {
    name: def.colname ?? '',
    type,
    typmods: typeModifiers(def.typeName),
    notNull: serial || def.is_not_null === true,
    hasDefault: serial || def.raw_default !== undefined,
    volatileDefault: serial || isVolatileExpression(def.raw_default),
    serial,
    identity: def.identity !== undefined && def.identity !== '',
    generatedStored: false,
    primaryKey: false,
    unique: false,
    check: false,
  };
  if (def.location !== undefined) info.location = def.location;
  for (const node of def.constraints ?? []) {
    if ('Constraint' in node) applyColumnConstraint(info, node.Constraint);
  }
  return info;
}

function applyColumnConstraint(info: ColumnInfo, constraint: Constraint): void {
  switch (constraint.contype) {
    case 'CONSTR_NOTNULL':
      info.notNull = true;
      break;
    case 'CONSTR_DEFAULT':
      info.hasDefault = true;
      info.volatileDefault ||= isVolatileExpression(constraint.raw_expr);
      break;
    case 'CONSTR_IDENTITY':
      info.identity = true;
      info.notNull = true;
      info.hasDefault = true;
      info.volatileDefault = true;
      break;
    case 'CONSTR_GENERATED':
      info.hasDefault = true;
      info.generatedStored = constraint.generated_kind !== 'v';
      break;
    case 'CONSTR_PRIMARY':
      info.primaryKey = true;
      info.notNull = true;
      break;
    case 'CONSTR_UNIQUE':
      info.unique = true;
      break;
    case 'CONSTR_FOREIGN':
      info.references = relationName(constraint.pktable);
      break;
    case 'CONSTR_CHECK':
      info.check = true;
      break;
    default:
      break;
  }
}

const CONSTRAINT_TYPES: Partial<Record<string, ConstraintType>> = {
  CONSTR_CHECK: 'check',
  CONSTR_FOREIGN: 'foreign_key',
  CONSTR_UNIQUE: 'unique',
  CONSTR_PRIMARY: 'primary_key',
  CONSTR_EXCLUSION: 'exclusion',
  CONSTR_NOTNULL: 'not_null',
};

/** A table-level constraint (ALTER TABLE … ADD CONSTRAINT, or in CREATE TABLE). */
export function constraintInfo(constraint: Constraint): ConstraintInfo | undefined {
  const type = CONSTRAINT_TYPES[constraint.contype ?? ''];
  if (type === undefined) return undefined;
  const info: ConstraintInfo = {
    type,
    notValid: constraint.skip_validation === true,
    usingIndex: constraint.indexname !== undefined,
  };
  if (constraint.conname !== undefined) info.name = constraint.conname;
  if (constraint.location !== undefined) info.location = constraint.location;
  if (type === 'foreign_key') info.references = relationName(constraint.pktable);
  if (type === 'check') {
    const column = notNullTestColumn(constraint.raw_expr);
    if (column !== undefined) info.notNullColumn = column;
  }
  if (type === 'not_null') {
    const column = stringsOf(constraint.keys)[0];
    if (column !== undefined) info.notNullColumn = column;
  }
  return info;
}

/** "col" for a CHECK expression `col IS NOT NULL`, otherwise undefined. */
function notNullTestColumn(expr: Node | undefined): string | undefined {
  if (expr === undefined || !('NullTest' in expr)) return undefined;
  const test = expr.NullTest;
  if (test.nulltesttype !== 'IS_NOT_NULL' || test.arg === undefined || !('ColumnRef' in test.arg))
    return undefined;
  const fields = stringsOf(test.arg.ColumnRef.fields);
  return fields.at(-1);
}
