// Rules about column types look at every column a statement defines: CREATE TABLE columns,
// ADD COLUMN, and the new type of ALTER COLUMN … TYPE.
import type { Change, ColumnInfo } from '../../sql/change.ts';
import type { LintContext } from '../context.ts';
import { eachChange, hit, type RuleHit } from '../rule.ts';

function definedColumns(change: Change): ColumnInfo[] {
  if (change.kind === 'create_table') return change.columns ?? [];
  if ((change.kind === 'add_column' || change.kind === 'alter_column_type') && change.column)
    return [change.column];
  return [];
}

/** One hit per column for which `describe` returns [message, fix], pointing at the column. */
export function eachColumn(
  context: LintContext,
  describe: (column: ColumnInfo, table: string) => [string, string] | undefined,
): RuleHit[] {
  const hits: RuleHit[] = [];
  eachChange(context, (change, statement, section) => {
    for (const column of definedColumns(change)) {
      const found = describe(column, change.table ?? '?');
      if (found === undefined) continue;
      hits.push(hit(section, statement, found[0], found[1], column.location));
    }
    return undefined;
  });
  return hits;
}
