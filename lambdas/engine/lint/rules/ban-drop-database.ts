import type { LintRule } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';

export const banDropDatabase: LintRule = {
  id: 'ban-drop-database',
  severity: 'error',
  parity: 'squawk',
  catches: 'DROP DATABASE',
  instead: 'drop databases by hand, outside migrations',
  check(context) {
    return eachChange(context, (change, statement, section) => {
      if (change.kind !== 'drop_database') return;
      return hit(
        section,
        statement,
        `DROP DATABASE ${change.object ?? ''} deletes a whole database, which no table backup covers and no down section can bring back. It does not belong in a schema migration: do it by hand after a full snapshot.`,
        'remove the statement; drop the database manually after taking a snapshot',
      );
    });
  },
};
