// A down file that PostgreSQL cannot parse (golang-migrate reads down files only when it
// migrates down, so such projects migrate up fine there). The loader sets the down section
// aside (loader/broken-down.ts); this rule makes the consequence visible and stops the run
// unless it is allowed: if a later step fails, this migration can only be restored from backup.
import type { LintSection } from '../context.ts';
import type { LintRule } from '../rule.ts';
import { hit } from '../rule.ts';

export const downSyntaxError: LintRule = {
  id: 'down-syntax-error',
  severity: 'error',
  parity: 'stepmigrate',
  catches:
    'a down file that does not parse, so the migration can only be rolled back by restoring the backup',
  instead: 'fix the SQL of the down file (or delete it to mark the migration irreversible)',
  check(context) {
    const broken = context.migration.downSyntaxError;
    if (broken === undefined) return [];
    const at = { line: broken.line, column: broken.column };
    const section: LintSection = {
      name: 'down',
      file: broken.file,
      startLine: broken.line,
      transaction: true,
      statements: [],
      isNewTable: () => false,
      inTransaction: () => true,
      positionOf: () => at,
    };
    return [
      hit(
        section,
        undefined,
        `The down file of migration ${context.migration.version} does not parse (${broken.message}), so it cannot be run: if a later step of the run fails, this migration's rollback can only restore the backup. Fix the down file, or allow this finding ("-- lint:allow down-syntax-error <reason>", or "down-syntax-error": "warning" in stepmigrate.json) to go ahead with a restore-only rollback.`,
        `fix the SQL at ${broken.file}:${broken.line}`,
      ),
    ];
  },
};
