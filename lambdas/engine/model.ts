// The shapes the engine works with. Plain data only: everything here can be written to
// Step Functions state, the audit log or `--json` output as it is.

/** One section of a migration file (`-- migrate:up`, `-- migrate:down`, `-- migrate:verify`). */
export interface MigrationSection {
  /** The SQL of the section, exactly as written (line endings normalised to \n). */
  sql: string;
  /** 1-based line in the file where the section's SQL starts (the line after its marker). */
  startLine: number;
  /** false for `transaction:false`: each statement runs on its own, outside a transaction. */
  transaction: boolean;
  /** `runner:task`: the section runs on the long-running task runner, never in a Lambda. */
  runner?: Runner;
}

/** Where a step's work runs: one Lambda invocation, or the long-running task (ECS Fargate). */
export type Runner = 'lambda' | 'task';

/** A `-- lint:allow <rule-id> <reason>` line. */
export interface LintAllow {
  rule: string;
  reason: string;
  line: number;
}

export type LayoutName = 'native' | 'sqitch' | 'golang-migrate' | 'flyway' | 'dbmate';

export interface Migration {
  /** Identity in `schema_history`, e.g. "0004" (native) or a Sqitch change name (docs/adopting.md). */
  version: string;
  /** Human name, e.g. "add_email". */
  name: string;
  /** Path of the file that holds the up section, relative to the migrations directory. */
  file: string;
  up: MigrationSection;
  /** null when the migration is irreversible. */
  down: MigrationSection | null;
  irreversible: boolean;
  /**
   * Why an irreversible migration has no down section, in words for messages ("has no undo
   * file (U2__x.sql)"); absent for a down section marked irreversible.
   */
  irreversibleReason?: string;
  /**
   * A down file that does not parse (golang-migrate never reads it on the way up): the
   * migration is then irreversible, and lint's `down-syntax-error` reports this.
   */
  downSyntaxError?: { file: string; line: number; column: number; message: string };
  verify: MigrationSection | null;
  lintAllows: LintAllow[];
  /** SHA-256 (hex) of the up section with normalised line endings. */
  checksum: string;
  /** Per-migration timeouts from the file, if it sets them (input overrides them). */
  lockTimeoutMs?: number;
  statementTimeoutMs?: number;
  /** Where the down/verify sections come from when they live in other files (Sqitch, Flyway…). */
  downFile?: string;
  verifyFile?: string;
  /**
   * Flyway `R__` migrations: no version of their own (their version is `R__<description>`),
   * ordered after every versioned one, and meant to run again whenever their checksum changes.
   */
  repeatable?: boolean;
  /**
   * Flyway `B<version>__` baseline migrations: the version whose schema the file builds. Its
   * own version is `B<version>` (baselineId), ordered after every other migration. It runs
   * only on a database with no history, in place of the versioned migrations up to it, and
   * is ignored everywhere else.
   */
  baselineOf?: string;
}

/** Version id of a Flyway baseline migration in schema_history: "B3" for B3__x.sql. */
export function baselineId(version: string): string {
  return `B${version}`;
}

/** Has a place in the version order: neither a Flyway repeatable nor a baseline migration. */
export function inVersionOrder(migration: Pick<Migration, 'repeatable' | 'baselineOf'>): boolean {
  return !migration.repeatable && migration.baselineOf === undefined;
}

/**
 * How people see a migration in messages: "0004_add_email", or just the name where the
 * version is the name (a Sqitch change).
 */
export function migrationLabel(migration: Pick<Migration, 'version' | 'name'>): string {
  const { version, name } = migration;
  // Sqitch names a change by itself ("base") and a reworked one by name and rework ("update_acl.2").
  const named = version === name || version.startsWith(`${name}.`) || version.startsWith(`${name}@`);
  return named ? version : `${version}_${name}`;
}

/** The loaded migrations of one directory, in the order they apply. */
export interface MigrationSet {
  directory: string;
  layout: LayoutName;
  migrations: Migration[];
  /** Sqitch tags in plan order: `@name` marks the state after the migration `afterVersion`. */
  tags?: { name: string; afterVersion: string }[];
}

export type HistoryState = 'applied' | 'dirty' | 'rolled_back';

/** A row of `<schema>.schema_history`. */
export interface HistoryRow {
  version: string;
  name: string;
  checksum: string;
  state: HistoryState;
  appliedAt: string;
  appliedBy: string;
  executionId: string;
  durationMs: number | null;
}

export type Direction = 'up' | 'down';

/** One unit of work in a plan: apply `version` up, or revert it down. */
export interface PlanStep {
  version: string;
  name: string;
  direction: Direction;
  /** Set by Validate: where this step runs (absent means Lambda). */
  runner?: Runner;
}

export type FindingSeverity = 'error' | 'warning' | 'info';

/** Something Validate noticed: a lint rule, a preflight check, a plan remark. */
export interface Finding {
  rule: string;
  severity: FindingSeverity;
  message: string;
  migration?: string;
  file?: string;
  line?: number;
  column?: number;
  /** What to write instead, in one line (lint findings). */
  fix?: string;
  /** Set when `-- lint:allow` silenced it; the reason is kept for the audit log. */
  allowedBecause?: string;
}

/** Where a run goes and what it will touch. Refers to migrations by version, never by SQL. */
export interface Plan {
  fromVersion: string;
  toVersion: string;
  direction: Direction;
  steps: PlanStep[];
  /** Tables ("schema.table") the pending steps touch. */
  affectedTables: string[];
  /** Tables whose data the pending steps can destroy or rewrite: Backup copies these. */
  backupTables: string[];
  /** Size on disk of the backup tables now (table data without indexes), from the catalog. */
  backupEstimateBytes?: number;
  /** What each step does to the tables it touches, in plan order. */
  risks?: StepRisk[];
  findings: Finding[];
  /**
   * Set in the execution state, which carries only the first findings that matter: how many
   * findings the full plan has. All of them are in Validate's audit record.
   */
  findingsTotal?: number;
  /** Set by Validate: where Backup and Rollback run, and the estimates that decided it. */
  runners?: PlanRunners;
}

/** Which runner Backup and Rollback use; every step's own runner is on the PlanStep. */
export interface PlanRunners {
  backup: Runner;
  rollback: Runner;
  /** Estimated duration of each piece of work, in milliseconds, as the choice saw it. */
  estimates: { backupMs: number; restoreMs: number; steps: Record<string, number> };
}

/** What one plan step does to its tables, for the person deciding whether to run it. */
export interface StepRisk {
  version: string;
  /** The strongest lock the step takes on each table, e.g. ACCESS EXCLUSIVE on app.users. */
  locks: { table: string; mode: string }[];
  /** Tables whose every row is rewritten while the lock is held. */
  rewrites: string[];
  /** Tables read in full while the lock is held (index builds, constraint validation). */
  scans: string[];
  /** Tables whose row values the step can delete or change. */
  destroys: string[];
  /** The step runs outside a transaction: a failure half-way leaves it dirty. */
  outsideTransaction: boolean;
}

/** The version before the first migration. */
export const EMPTY_VERSION = '0';
