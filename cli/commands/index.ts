// Every command the CLI offers, in the order `--help` lists them. A command's module (and
// everything it imports: pg, the AWS SDK, aws-cdk-lib) is loaded only when that command
// runs, so `--help` and the local commands start without the weight of the others. The
// summary here is what the top-level help shows; test/unit/cli/command-table.test.ts keeps
// it equal to the command's own description.
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<{ register: RegisterCommand }>;
}

export const commands: readonly CommandEntry[] = [
  {
    name: 'new',
    summary: 'write the next NNNN_name.sql migration from the template',
    load: () => import('./new.ts'),
  },
  {
    name: 'lint',
    summary: 'lint migrations for locking, data-loss and rollback problems; exit 2 on error findings',
    load: () => import('./lint.ts'),
  },
  {
    name: 'check',
    summary:
      'pull-request gate: lint, then on a scratch database apply every migration, verify it, revert all (schema compared at every step) and apply again',
    load: () => import('./check.ts'),
  },
  {
    name: 'plan',
    summary:
      'validate and show what a run would do — which migrations, tables, backups and lint findings; changes nothing',
    load: () => import('./plan.ts'),
  },
  {
    name: 'run',
    summary:
      'run the workflow locally — the synthesized state machine definition, step by step, with live progress',
    load: () => import('./run.ts'),
  },
  {
    name: 'rollback',
    summary: 'run the workflow down to an earlier version (its down sections, with backup and verify)',
    load: () => import('./rollback.ts'),
  },
  {
    name: 'status',
    summary:
      'show applied, pending and dirty migrations, files changed since they were applied, and the run lease',
    load: () => import('./status.ts'),
  },
  {
    name: 'repair',
    summary:
      'after you have looked at the database: mark a dirty migration applied or rolled back, accept a changed file, or release a crashed run’s lease',
    load: () => import('./repair.ts'),
  },
  {
    name: 'baseline',
    summary:
      'for a database already at a version but with no migration history at all: record every migration up to --version as applied, without running any',
    load: () => import('./baseline.ts'),
  },
  {
    name: 'start',
    summary:
      'start a migration execution on AWS Step Functions; with --wait, follow it and exit by its result',
    load: () => import('./start.ts'),
  },
  {
    name: 'watch',
    summary: 'follow an AWS execution step by step and exit by its result',
    load: () => import('./watch.ts'),
  },
  {
    name: 'approve',
    summary: 'approve a run waiting at its Approval step',
    load: () => import('./approve.ts'),
  },
  {
    name: 'reject',
    summary: 'reject a run waiting at its Approval step; it ends before any change',
    load: () => import('./reject.ts'),
  },
  {
    name: 'audit',
    summary: 'show the audit log: every step of every run, newest last',
    load: () => import('./audit.ts'),
  },
  {
    name: 'restore',
    summary:
      'restore tables from a backup (a manifest file or s3:// URI); all or nothing, verified before commit',
    load: () => import('./restore.ts'),
  },
  {
    name: 'backups',
    summary: 'list backups (execution, database, tables, size, age), newest first',
    load: () => import('./backups.ts'),
  },
  {
    name: 'graph',
    summary: 'draw the workflow from the synthesized state machine definition',
    load: () => import('./graph.ts'),
  },
  {
    name: 'db',
    summary:
      'the embedded PostgreSQL 17 that local commands use without --database-url (started on demand, kept running)',
    load: () => import('./db.ts'),
  },
];
