// Tracks CHECK (col IS NOT NULL) constraints across migrations, so SET NOT NULL can be judged:
// since PostgreSQL 12 a VALIDATED check lets SET NOT NULL skip its full-table scan under
// ACCESS EXCLUSIVE; a NOT VALID one does not.
import type { ClassifiedStatement } from '../sql/change.ts';

export type NotNullCheckState = 'validated' | 'not_valid';

export class NotNullChecks {
  private readonly byColumn = new Map<string, NotNullCheckState>();
  private readonly columnByConstraint = new Map<string, string>();

  clone(): NotNullChecks {
    const copy = new NotNullChecks();
    for (const [key, state] of this.byColumn) copy.byColumn.set(key, state);
    for (const [key, column] of this.columnByConstraint) copy.columnByConstraint.set(key, column);
    return copy;
  }

  state(table: string, column: string): NotNullCheckState | undefined {
    return this.byColumn.get(`${table}.${column}`);
  }

  apply(statement: ClassifiedStatement): void {
    for (const change of statement.changes) {
      if (change.table === undefined) continue;
      const constraint = change.constraint;
      if (change.kind === 'add_constraint' && constraint?.type === 'check' && constraint.notNullColumn) {
        const key = `${change.table}.${constraint.notNullColumn}`;
        this.byColumn.set(key, constraint.notValid ? 'not_valid' : 'validated');
        if (constraint.name !== undefined)
          this.columnByConstraint.set(`${change.table}/${constraint.name}`, key);
      }
      const named =
        change.constraintName && this.columnByConstraint.get(`${change.table}/${change.constraintName}`);
      if (change.kind === 'validate_constraint' && named) this.byColumn.set(named, 'validated');
      if (change.kind === 'drop_constraint' && named) this.byColumn.delete(named);
    }
  }
}
