// Builds Migration objects from SQL text for lint tests, the way the loader would.

import type { LintConfig } from '../../../lambdas/engine/lint/index.ts';
import { lintMigrations } from '../../../lambdas/engine/lint/index.ts';
import type { Finding, LintAllow, Migration } from '../../../lambdas/engine/model.ts';

export interface MigrationSpec {
  version?: string;
  up: string;
  /** Omitted: a down that drops nothing; null: irreversible. */
  down?: string | null;
  verify?: string;
  upTransaction?: boolean;
  downTransaction?: boolean;
  allows?: LintAllow[];
  /** What the loader records for a down file that does not parse (the down is then null). */
  downSyntaxError?: Migration['downSyntaxError'];
}

/** The up SQL starts on line 2 of the file (line 1 holds `-- migrate:up`). */
export const UP_START_LINE = 2;

export function migration(spec: MigrationSpec): Migration {
  const version = spec.version ?? '0042';
  const file = `${version}_change.sql`;
  const down = spec.down === undefined ? 'SELECT 1;' : spec.down;
  const upLines = spec.up.split('\n').length;
  return {
    version,
    name: 'change',
    file,
    up: { sql: spec.up, startLine: UP_START_LINE, transaction: spec.upTransaction ?? true },
    down:
      down === null
        ? null
        : { sql: down, startLine: UP_START_LINE + upLines + 1, transaction: spec.downTransaction ?? true },
    irreversible: down === null,
    verify: spec.verify === undefined ? null : { sql: spec.verify, startLine: 100, transaction: true },
    lintAllows: spec.allows ?? [],
    checksum: 'test',
    ...(spec.downSyntaxError === undefined ? {} : { downSyntaxError: spec.downSyntaxError }),
  };
}

export function lint(
  spec: MigrationSpec,
  options: { config?: LintConfig; allowIrreversible?: boolean; earlier?: MigrationSpec[] } = {},
): Finding[] {
  return lintMigrations([migration(spec)], {
    ...options,
    earlier: (options.earlier ?? []).map((earlier, index) =>
      migration({ version: `000${index + 1}`, ...earlier }),
    ),
  });
}

export function findingsOf(
  rule: string,
  spec: MigrationSpec,
  options: Parameters<typeof lint>[1] = {},
): Finding[] {
  return lint(spec, options).filter((finding) => finding.rule === rule);
}
