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
    if (!context.migration.irreversible || context.allowIrreversible) return [];
    return [
      hit(
        context.up,
        context.up.statements[0],
        `Migration ${context.migration.version} is marked irreversible: if a later step fails, its rollback can only restore data from the backup, not undo the schema change. Write a down section, or allow irreversible migrations for this run explicitly.`,
        'stepmigrate run --allow-irreversible  (or "allowIrreversible": true in the execution input)',
      ),
    ];
  },
};
