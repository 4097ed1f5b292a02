import type { LintRule } from '../rule.ts';
import { eachChange, hit } from '../rule.ts';

export const requireConcurrentReindex: LintRule = {
  id: 'require-concurrent-reindex',
  severity: 'error',
  parity: 'squawk',
  catches: 'REINDEX without CONCURRENTLY',
  instead: 'REINDEX … CONCURRENTLY in a `transaction:false` section',
  check(context) {
    return eachChange(context, (change, statement, section) => {
      if (change.kind !== 'reindex' || change.concurrently) return;
      return hit(
        section,
        statement,
        `REINDEX ${change.object ?? ''} without CONCURRENTLY locks out writes to the table (and, for an index, every query using it) for the whole rebuild. REINDEX CONCURRENTLY rebuilds beside the old index and swaps it in.`,
        `-- migrate:${section.name} transaction:false\nREINDEX … CONCURRENTLY ${change.object ?? '<name>'};`,
      );
    });
  },
};
