import type { Node } from 'libpg-query';
import type { LintRule } from '../rule.ts';
import { eachStatement } from './statement-rule.ts';

export const banDuplicateColumnAssignments: LintRule = {
  id: 'ban-duplicate-column-assignments',
  severity: 'error',
  parity: 'squawk',
  catches: 'a column assigned twice in one UPDATE … SET, INSERT column list, ON CONFLICT DO UPDATE or MERGE',
  instead: 'assign each column once',
  check(context) {
    return eachStatement(context, (statement) => {
      const duplicate = assignmentLists(statement.ast)
        .map(firstDuplicate)
        .find((name) => name !== undefined);
      if (duplicate === undefined) return undefined;
      return [
        `Column ${duplicate} is assigned twice in one statement: PostgreSQL refuses it ("multiple assignments to same column", or "column specified more than once" in an INSERT list), so the migration fails when it reaches this line.`,
        `assign ${duplicate} once`,
      ];
    });
  },
};

function assignmentLists(node: Node): (Node[] | undefined)[] {
  if ('UpdateStmt' in node) return [node.UpdateStmt.targetList];
  if ('InsertStmt' in node) return [node.InsertStmt.cols, node.InsertStmt.onConflictClause?.targetList];
  if ('MergeStmt' in node)
    return (node.MergeStmt.mergeWhenClauses ?? []).map((clause) =>
      'MergeWhenClause' in clause ? [...(clause.MergeWhenClause.targetList ?? [])] : undefined,
    );
  return [];
}

/** The first column named twice; `a[1]` and `a.b` (subscripts, fields) may repeat legitimately. */
function firstDuplicate(targets: Node[] | undefined): string | undefined {
  const seen = new Set<string>();
  for (const target of targets ?? []) {
    if (!('ResTarget' in target) || target.ResTarget.name === undefined) continue;
    if ((target.ResTarget.indirection ?? []).length > 0) continue;
    if (seen.has(target.ResTarget.name)) return target.ResTarget.name;
    seen.add(target.ResTarget.name);
  }
  return undefined;
}
