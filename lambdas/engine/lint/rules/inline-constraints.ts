// Shared by the FOREIGN KEY, PRIMARY KEY and UNIQUE rules: each of these constraints can be
// added by ADD CONSTRAINT or written inline in ADD COLUMN, and either way PostgreSQL checks or
// builds it while holding its lock, unless ADD CONSTRAINT says NOT VALID or USING INDEX.
import type { Change, ColumnInfo, ConstraintType } from '../../sql/change.ts';

type InlineConstraint = Extract<ConstraintType, 'foreign_key' | 'primary_key' | 'unique'>;

const DECLARED_INLINE: Record<InlineConstraint, (column: ColumnInfo) => boolean> = {
  foreign_key: (column) => column.references !== undefined,
  primary_key: (column) => column.primaryKey,
  unique: (column) => column.unique,
};

/** True when `change` adds a `type` constraint that is checked or built at once. */
export function addsCheckedConstraint(change: Change, type: InlineConstraint): boolean {
  if (change.kind === 'add_constraint') {
    const constraint = change.constraint;
    return constraint?.type === type && !constraint.notValid && !constraint.usingIndex;
  }
  return change.kind === 'add_column' && change.column !== undefined && DECLARED_INLINE[type](change.column);
}
