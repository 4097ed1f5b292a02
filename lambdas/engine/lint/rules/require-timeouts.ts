// Squawk asks every migration to set lock_timeout and statement_timeout before statements that
// take strong locks. stepmigrate's Apply step sets both itself, for every migration, from the
// run's settings (lockTimeoutMs, statementTimeoutMs), and retries on a lock timeout: the rules
// are satisfied by design and never report. They exist so their ids are known to
// `-- lint:allow`, stepmigrate.json and the parity table.
import type { LintRule } from '../rule.ts';

export const requireLockTimeout: LintRule = {
  id: 'require-lock-timeout',
  severity: 'warning',
  parity: 'satisfied-by-design',
  catches: 'nothing: stepmigrate sets lock_timeout for every migration it applies',
  instead: 'nothing to do; tune the run with lockTimeoutMs',
  check: () => [],
};

export const requireStatementTimeout: LintRule = {
  id: 'require-statement-timeout',
  severity: 'warning',
  parity: 'satisfied-by-design',
  catches: 'nothing: stepmigrate sets statement_timeout for every migration it applies',
  instead: 'nothing to do; tune the run with statementTimeoutMs',
  check: () => [],
};
