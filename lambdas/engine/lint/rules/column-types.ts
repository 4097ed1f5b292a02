// Rules about column types look at every column a statement defines: CREATE TABLE columns,
// ADD COLUMN, and the new type of ALTER COLUMN … TYPE.
import type { Change, ClassifiedStatement, ColumnInfo } from '../../sql/change.ts';
import type { LintContext } from '../context.ts';
import { eachChange, hit, type RuleHit } from '../rule.ts';

export function definedColumns(change: Change): ColumnInfo[] {
  if (change.kind === 'create_table') return change.columns ?? [];
  if ((change.kind === 'add_column' || change.kind === 'alter_column_type') && change.column)
    return [change.column];
  return [];
}

/** One hit per column for which `describe` returns a message. */
export function eachColumn(
  context: LintContext,
  describe: (
    column: ColumnInfo,
    table: string,
    statement: ClassifiedStatement,
  ) => [string, string] | undefined,
): RuleHit[] {
  const hits: RuleHit[] = [];
  eachChange(context, (change, statement, section) => {
    for (const column of definedColumns(change)) {
      const found = describe(column, change.table ?? '?', statement);
      if (found === undefined) continue;
      const columnHit = hit(section, statement, found[0], found[1]);
      if (column.location !== undefined) columnHit.location = column.location;
      hits.push(columnHit);
    }
    return undefined;
  });
  return hits;
}
