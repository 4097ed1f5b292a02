import type { LintRule } from '../rule.ts';
import { eachStatement } from './statement-rule.ts';

export const requireEnumValueOrdering: LintRule = {
  id: 'require-enum-value-ordering',
  severity: 'warning',
  parity: 'squawk',
  catches: 'ALTER TYPE … ADD VALUE without BEFORE or AFTER',
  instead:
    "ALTER TYPE … ADD VALUE '<new>' AFTER '<existing>' (or BEFORE), so the sort order is chosen on purpose",
  check(context) {
    return eachStatement(context, ({ ast }) => {
      if (!('AlterEnumStmt' in ast)) return undefined;
      const stmt = ast.AlterEnumStmt;
      if (stmt.oldVal !== undefined || stmt.newVal === undefined || stmt.newValNeighbor !== undefined)
        return undefined;
      return [
        `ADD VALUE '${stmt.newVal}' without BEFORE or AFTER puts it last, and enum values sort in declaration order, so ORDER BY and comparisons on the column change meaning by accident. Say where the value belongs.`,
        `ALTER TYPE … ADD VALUE '${stmt.newVal}' AFTER '<existing value>';`,
      ];
    });
  },
};
