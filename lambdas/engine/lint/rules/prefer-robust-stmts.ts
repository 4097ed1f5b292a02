import type { Change } from '../../sql/change.ts';
import type { LintSection } from '../context.ts';
import type { LintRule, RuleHit } from '../rule.ts';
import { hit } from '../rule.ts';

/** Statements that fail when run a second time unless written with IF [NOT] EXISTS. */
const NEEDS_GUARD: Partial<Record<Change['kind'], string>> = {
  create_table: 'CREATE TABLE IF NOT EXISTS',
  create_index: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS',
  add_column: 'ADD COLUMN IF NOT EXISTS',
  drop_table: 'DROP TABLE IF EXISTS',
  drop_index: 'DROP INDEX CONCURRENTLY IF EXISTS',
  drop_column: 'DROP COLUMN IF EXISTS',
  drop_constraint: 'DROP CONSTRAINT IF EXISTS',
};

export const preferRobustStmts: LintRule = {
  id: 'prefer-robust-stmts',
  severity: 'warning',
  catches: 'statements in a `transaction:false` section that fail when run again (no IF [NOT] EXISTS)',
  instead: 'IF NOT EXISTS / IF EXISTS, and DROP CONSTRAINT IF EXISTS before ADD CONSTRAINT',
  check(context) {
    return context.sections.flatMap((section) => (section.transaction ? [] : unguarded(section)));
  },
};

function unguarded(section: LintSection): RuleHit[] {
  const droppedFirst = new Set<string>();
  const hits: RuleHit[] = [];
  for (const statement of section.statements) {
    for (const change of statement.changes) {
      if (change.kind === 'drop_constraint' && change.idempotent)
        droppedFirst.add(`${change.table}/${change.constraintName}`);
      const guard = NEEDS_GUARD[change.kind];
      const addsConstraint =
        change.kind === 'add_constraint' && !droppedFirst.has(`${change.table}/${change.constraint?.name}`);
      if ((guard === undefined || change.idempotent) && !addsConstraint) continue;
      hits.push(
        hit(
          section,
          statement,
          `This ${section.name} section runs outside a transaction, so if it fails half-way the statements before the failure stay applied, and running the migration again stops at this statement because its object ${guard?.includes('DROP') ? 'is already gone' : 'already exists'}. Write it so a second run is harmless.`,
          guard ??
            `ALTER TABLE ${change.table} DROP CONSTRAINT IF EXISTS ${change.constraint?.name ?? '<name>'}; before the ADD CONSTRAINT`,
        ),
      );
    }
  }
  return hits;
}
