import type { LintRule } from '../rule.ts';
import { hit } from '../rule.ts';

export const irreversibleNotAllowed: LintRule = {
  id: 'irreversible-not-allowed',
  severity: 'error',
  parity: 'stepmigrate',
  catches:
    'a migration marked `-- migrate:down irreversible` when the run does not allow irreversible migrations',
  instead: 'write a down section, or run with --allow-irreversible (allowIrreversible: true) on purpose',
  check(context) {
    // A down file that does not parse has its own rule (down-syntax-error), allowed on its own.
    const { migration } = context;
    if (!migration.irreversible || context.allowIrreversible || migration.downSyntaxError) return [];
    const why = migration.irreversibleReason ?? 'is marked irreversible (its down section says so)';
    const restoreOnly = why.includes('restore-only') ? '' : ': its rollback is restore-only';
    const remedy = migration.irreversibleReason ? 'Add the file it lacks' : 'Write a down section';
    return [
      hit(
        context.up,
        context.up.statements[0],
        `Migration ${migration.version} ${why}${restoreOnly}. If a later step fails, it can only restore data from the backup, not undo the schema change. ${remedy}, or allow irreversible migrations for this run explicitly.`,
        'stepmigrate run --allow-irreversible  (or "allowIrreversible": true in the execution input)',
      ),
    ];
  },
};
