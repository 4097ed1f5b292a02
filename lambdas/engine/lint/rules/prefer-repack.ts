import type { Node } from 'libpg-query';
import type { LintRule } from '../rule.ts';
import { eachStatement } from './statement-rule.ts';

/** REPACK (CONCURRENTLY) arrives with PostgreSQL 19; before that there is nothing to prefer. */
const REPACK_SINCE = 19;

export const preferRepack: LintRule = {
  id: 'prefer-repack',
  severity: 'warning',
  parity: 'squawk',
  catches: 'VACUUM FULL and CLUSTER when the server has REPACK (PostgreSQL 19 and later)',
  instead: 'REPACK (CONCURRENTLY) <table>',
  check(context) {
    if (context.postgresVersion < REPACK_SINCE) return [];
    return eachStatement(context, ({ ast }) => {
      const what = 'ClusterStmt' in ast ? 'CLUSTER' : isVacuumFull(ast) ? 'VACUUM FULL' : undefined;
      if (what === undefined) return undefined;
      return [
        `${what} rewrites the table while holding ACCESS EXCLUSIVE, so every read and write waits for the whole rewrite. REPACK (CONCURRENTLY) does the same rewrite without blocking them.`,
        'REPACK (CONCURRENTLY) <table>;',
      ];
    });
  },
};

function isVacuumFull(node: Node): boolean {
  if (!('VacuumStmt' in node) || !node.VacuumStmt.is_vacuumcmd) return false;
  return (node.VacuumStmt.options ?? []).some((option) => {
    if (!('DefElem' in option) || option.DefElem.defname !== 'full') return false;
    const arg = option.DefElem.arg;
    if (arg === undefined) return true;
    if ('Boolean' in arg) return arg.Boolean.boolval === true;
    if ('String' in arg) return !['false', 'off', '0'].includes((arg.String.sval ?? '').toLowerCase());
    if ('Integer' in arg) return (arg.Integer.ival ?? 0) !== 0;
    return true;
  });
}
