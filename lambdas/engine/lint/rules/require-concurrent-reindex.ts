import type { LintRule } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';

export const requireConcurrentReindex: LintRule = {
  id: 'require-concurrent-reindex',
  severity: 'error',
  parity: 'squawk',
  catches: 'REINDEX without CONCURRENTLY (REINDEX SYSTEM aside, which cannot be concurrent)',
  instead: 'REINDEX … CONCURRENTLY in a `transaction:false` section',
  check(context) {
    return eachChange(context, (change, statement, section) => {
      if (change.kind !== 'reindex' || change.concurrently) return;
      // System catalogs cannot be reindexed concurrently, so there is nothing better to write.
      if ('ReindexStmt' in statement.ast && statement.ast.ReindexStmt.kind === 'REINDEX_OBJECT_SYSTEM')
        return;
      return hit(
        section,
        statement,
        `REINDEX ${change.object ?? ''} without CONCURRENTLY locks out writes to the table (and, for an index, every query using it) for the whole rebuild. REINDEX CONCURRENTLY rebuilds beside the old index and swaps it in.`,
        `-- migrate:${section.name} transaction:false\nREINDEX … CONCURRENTLY ${change.object ?? '<name>'};`,
      );
    });
  },
};
