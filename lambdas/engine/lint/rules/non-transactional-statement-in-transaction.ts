import type { LintRule } from '../rule.ts';
import { hit } from '../rule.ts';

export const nonTransactionalStatementInTransaction: LintRule = {
  id: 'non-transactional-statement-in-transaction',
  severity: 'error',
  parity: 'stepmigrate',
  catches:
    'statements PostgreSQL refuses inside a transaction block (DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, VACUUM, CREATE DATABASE, ALTER SYSTEM…) in a transactional section',
  instead: 'move them to a migration whose section is marked `transaction:false`',
  check(context) {
    return context.sections.flatMap((section) =>
      section.statements
        // CREATE INDEX CONCURRENTLY has its own rule, ban-concurrent-index-creation-in-transaction.
        .filter(
          (s, index) =>
            section.inTransaction(index) &&
            !s.transactional &&
            !s.changes.some((c) => c.kind === 'create_index'),
        )
        .map((statement) =>
          hit(
            section,
            statement,
            `"${statement.sql.split('\n')[0]}" cannot run inside a transaction block, and here it runs in one (a transactional section, or after BEGIN): PostgreSQL refuses it and the migration fails. Put it in a migration of its own whose section is marked transaction:false.`,
            `-- migrate:${section.name} transaction:false`,
          ),
        ),
    );
  },
};
