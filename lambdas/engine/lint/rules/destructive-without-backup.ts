import type { LintRule } from '../rule.ts';
import { hit } from '../rule.ts';

/** Covered by their own, more specific rules. */
const REPORTED_ELSEWHERE = new Set(['truncate', 'drop_database']);

export const destructiveWithoutBackup: LintRule = {
  id: 'destructive-without-backup',
  severity: 'error',
  parity: 'stepmigrate',
  catches:
    'statements that can destroy data in tables they do not name (DROP SCHEMA … CASCADE, DROP OWNED, DROP TYPE/EXTENSION … CASCADE), which Backup therefore cannot copy',
  instead: 'drop each table or column by name, so Backup can copy it first',
  check(context) {
    return context.sections.flatMap((section) =>
      section.statements
        .filter(
          (s) => s.destroysUnnamed !== undefined && !s.changes.some((c) => REPORTED_ELSEWHERE.has(c.kind)),
        )
        .filter(
          (s) =>
            !(
              section.name === 'down' &&
              s.changes.every(
                (c) => c.kind === 'drop_schema' && context.createdByUp.schemas.has(c.object ?? ''),
              )
            ),
        )
        .map((statement) =>
          hit(
            section,
            statement,
            `${statement.destroysUnnamed}: the tables and columns it destroys are not named in the migration, so the Backup step cannot copy them first and a rollback cannot restore them. Drop each object by name (DROP TABLE …, ALTER TABLE … DROP COLUMN …) so they are backed up, and keep the final DROP without CASCADE so it fails if anything unexpected is left.`,
            'DROP TABLE <schema>.<each table>; … DROP SCHEMA <schema>;  -- without CASCADE',
          ),
        ),
    );
  },
};
