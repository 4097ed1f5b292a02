import type { LintRule } from '../rule.ts';
import { eachStatement } from './statement-rule.ts';

export const requireConcurrentPartitionDetach: LintRule = {
  id: 'require-concurrent-partition-detach',
  severity: 'error',
  parity: 'squawk',
  catches: 'ALTER TABLE … DETACH PARTITION without CONCURRENTLY',
  instead: 'ALTER TABLE … DETACH PARTITION … CONCURRENTLY in a `transaction:false` section',
  check(context) {
    return eachStatement(context, ({ ast }) => {
      if (!('AlterTableStmt' in ast)) return undefined;
      const detach = (ast.AlterTableStmt.cmds ?? []).find(
        (node) =>
          'AlterTableCmd' in node &&
          node.AlterTableCmd.subtype === 'AT_DetachPartition' &&
          !(node.AlterTableCmd.def !== undefined && 'PartitionCmd' in node.AlterTableCmd.def
            ? node.AlterTableCmd.def.PartitionCmd.concurrent
            : false),
      );
      if (detach === undefined) return undefined;
      return [
        'DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the partitioned table, so every query on any partition waits until it is done. DETACH PARTITION … CONCURRENTLY takes only SHARE UPDATE EXCLUSIVE (PostgreSQL 14 and later).',
        '-- migrate:up transaction:false\nALTER TABLE <parent> DETACH PARTITION <partition> CONCURRENTLY;',
      ];
    });
  },
};
