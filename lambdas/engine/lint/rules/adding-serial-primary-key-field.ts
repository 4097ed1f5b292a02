import type { LintRule } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';
import { addsCheckedConstraint } from './inline-constraints.ts';

export const addingSerialPrimaryKeyField: LintRule = {
  id: 'adding-serial-primary-key-field',
  severity: 'error',
  parity: 'squawk',
  catches:
    'a PRIMARY KEY added to an existing table without USING INDEX (ADD PRIMARY KEY, ADD COLUMN … PRIMARY KEY)',
  instead: 'CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … PRIMARY KEY USING INDEX',
  check(context) {
    return eachChange(context, (change, statement, section, index) => {
      if (!addsCheckedConstraint(change, 'primary_key') || section.isNewTable(change.table, index)) return;
      const serial = change.column?.serial
        ? ` The new ${change.column.type} column also fills every existing row from its sequence, rewriting the whole table first.`
        : '';
      return hit(
        section,
        statement,
        `Adding a primary key to ${change.table} builds its unique index while holding ACCESS EXCLUSIVE, so every read and write of ${change.table} waits for the whole build. Build the index CONCURRENTLY in a transaction:false migration, then attach it, which is instant.${serial}`,
        `CREATE UNIQUE INDEX CONCURRENTLY <table>_pkey_idx ON ${change.table} (…);  -- next migration: ALTER TABLE ${change.table} ADD CONSTRAINT <table>_pkey PRIMARY KEY USING INDEX <table>_pkey_idx;`,
      );
    });
  },
};
