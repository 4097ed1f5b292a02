import type { LintRule } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';

export const addingFieldWithDefault: LintRule = {
  id: 'adding-field-with-default',
  severity: 'error',
  parity: 'squawk',
  catches:
    'ADD COLUMN with a volatile default (random(), gen_random_uuid(), clock_timestamp(), nextval()/serial/identity, a STORED generated column) on an existing table — or any default before PostgreSQL 11',
  instead:
    'add the column without a default (or with a constant one), set the default afterwards, backfill existing rows in batches',
  check(context) {
    return eachChange(context, (change, statement, section, index) => {
      const column = change.column;
      if (change.kind !== 'add_column' || column === undefined || section.isNewTable(change.table, index))
        return;
      // A serial PRIMARY KEY column is adding-serial-primary-key-field's finding, which names the rewrite.
      if (column.serial && column.primaryKey) return;
      const oldServer = context.postgresVersion < 11 && column.hasDefault;
      if (!column.volatileDefault && !column.generatedStored && !oldServer) return;
      const what = column.generatedStored
        ? 'a STORED generated column'
        : 'a default that must be computed for every row';
      return hit(
        section,
        statement,
        `ADD COLUMN ${change.table}.${column.name} with ${what} rewrites every row of ${change.table} while holding an ACCESS EXCLUSIVE lock, so reads and writes wait for the whole rewrite. Add the column without that default, then set it for new rows and backfill old rows in batches in a later migration.`,
        `ALTER TABLE ${change.table} ADD COLUMN ${column.name} <type>; ALTER TABLE ${change.table} ALTER COLUMN ${column.name} SET DEFAULT <expr>; then UPDATE in batches`,
      );
    });
  },
};
