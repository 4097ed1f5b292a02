import type { Node, RangeVar } from 'libpg-query';
import type { LintRule } from '../rule.ts';
import { eachStatement } from './statement-rule.ts';

export const requireTableSchema: LintRule = {
  id: 'require-table-schema',
  // Opt-in, as in Squawk: stepmigrate reads unqualified names as public.<name> anyway.
  severity: 'off',
  parity: 'squawk',
  catches: 'CREATE / ALTER / DROP TABLE of a table name without a schema (temporary tables aside)',
  instead: 'schema.table, e.g. public.accounts',
  check(context) {
    return eachStatement(context, ({ ast }) => {
      const table = unqualifiedTables(ast)[0];
      if (table === undefined) return undefined;
      return [
        `${table} has no schema, so the table it means depends on the search_path of the session that runs the migration. Qualify it.`,
        `public.${table}`,
      ];
    });
  },
};

function unqualifiedTables(node: Node): string[] {
  const names = (relations: (RangeVar | undefined)[]): string[] =>
    relations
      .filter((r): r is RangeVar => r !== undefined && r.schemaname === undefined && r.relpersistence !== 't')
      .map((r) => r.relname ?? '?');
  if ('CreateStmt' in node) return names([node.CreateStmt.relation]);
  if ('CreateTableAsStmt' in node && node.CreateTableAsStmt.objtype === 'OBJECT_TABLE')
    return names([node.CreateTableAsStmt.into?.rel]);
  if ('AlterTableStmt' in node && node.AlterTableStmt.objtype === 'OBJECT_TABLE')
    return names([node.AlterTableStmt.relation]);
  if ('DropStmt' in node && node.DropStmt.removeType === 'OBJECT_TABLE') {
    return (node.DropStmt.objects ?? [])
      .filter((object) => 'List' in object && (object.List.items ?? []).length === 1)
      .map((object) => ('List' in object ? String(stringOf(object.List.items?.[0])) : '?'));
  }
  return [];
}

function stringOf(node: Node | undefined): string | undefined {
  return node !== undefined && 'String' in node ? node.String.sval : undefined;
}
