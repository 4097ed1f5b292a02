// The migration files compared with the database's history: what is applied, pending,
// dirty, changed since it was applied, or applied but no longer on disk.
import { ChecksumMismatchError, DirtyStateError } from './errors.ts';
import type { HistoryEntry } from './history.ts';
import { compareVersions } from './loader/versions.ts';
import { EMPTY_VERSION, inVersionOrder, type Migration, type MigrationSet, migrationLabel } from './model.ts';

export interface MigrationStatus {
  version: string;
  name: string;
  file: string;
  /**
   * 'ignored': a Flyway baseline migration that will not run here (the database has history,
   * or a newer baseline is chosen), or a versioned migration a baseline due to run stands for.
   */
  state: 'applied' | 'pending' | 'dirty' | 'rolled_back' | 'ignored';
  /** A versioned migration with no row of its own whose schema the applied baseline (this id) built. */
  coveredBy?: string;
  appliedAt?: string;
  appliedBy?: string;
  executionId?: string;
  /** The file changed since it was applied. */
  checksumChanged: boolean;
}

export interface DatabaseStatus {
  /** No migration applied or dirty in the history (ours or imported): a new environment. */
  fresh: boolean;
  /** The newest applied migration in file order, or "0". */
  currentVersion: string;
  migrations: MigrationStatus[];
  pending: string[];
  dirty: HistoryEntry[];
  /** Applied migrations whose file changed. */
  drifted: { migration: Migration; row: HistoryEntry }[];
  /** Applied versions with no file. */
  missing: HistoryEntry[];
  /** Versions whose history row names another migration than the file: a different migration set. */
  renamed: { migration: Migration; row: HistoryEntry }[];
}

/** "create users" (Flyway's description) and "create_users" are one name. */
function normalName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

/**
 * The row names another migration. A row without a name of its own (history imported from
 * golang-migrate or dbmate records versions only: the name is the version) names none.
 */
function namesDiffer(row: HistoryEntry, migration: Migration): boolean {
  if (row.name === '' || row.name === row.version) return false;
  return normalName(row.name) !== normalName(migration.name);
}

/**
 * The Flyway baseline migration a run on a new environment starts from: the newest one whose
 * version is at or below `upTo` (every one when undefined, the latest target). None for a
 * database with history, where baselines are ignored, as in Flyway.
 */
export function chosenBaseline(set: MigrationSet, fresh: boolean, upTo?: string): Migration | undefined {
  if (!fresh) return undefined;
  return newestBaseline(
    set.migrations,
    (m) => upTo === undefined || compareVersions(m.baselineOf!, upTo) <= 0,
  );
}

/** The baseline migration with the highest `baselineOf` among those `keep` accepts. */
function newestBaseline(migrations: readonly Migration[], keep: (baseline: Migration) => boolean) {
  return migrations
    .filter((m) => m.baselineOf !== undefined && keep(m))
    .sort((a, b) => compareVersions(a.baselineOf!, b.baselineOf!))
    .at(-1);
}

/** Standing in for a versioned migration: that baseline built the schema up to its version. */
export function covers(baseline: Migration | undefined, migration: Migration): boolean {
  return (
    baseline?.baselineOf !== undefined &&
    inVersionOrder(migration) &&
    compareVersions(migration.version, baseline.baselineOf) <= 0
  );
}

/**
 * A migration's state from its history row, or without one from the baselines: covered by the
 * baseline that ran (applied), stood for by the one due to run (ignored), or pending. A baseline
 * without a row is pending only when it is the one due.
 */
function stateOf(
  migration: Migration,
  row: HistoryEntry | undefined,
  covered: boolean,
  due: Migration | undefined,
): MigrationStatus['state'] {
  if (migration.baselineOf !== undefined) {
    if (row && row.state !== 'rolled_back') return row.state;
    return migration === due ? 'pending' : 'ignored';
  }
  if (row) return row.state;
  if (covered) return 'applied';
  return covers(due, migration) ? 'ignored' : 'pending';
}

export function computeStatus(set: MigrationSet, history: readonly HistoryEntry[]): DatabaseStatus {
  const byVersion = new Map(history.map((row) => [row.version, row]));
  const known = new Set(set.migrations.map((migration) => migration.version));
  const fresh = !history.some((row) => row.state !== 'rolled_back');
  // The baseline that ran here (the newest with an applied row), and the one a new run would start from.
  const ran = newestBaseline(set.migrations, (m) => byVersion.get(m.version)?.state === 'applied');
  const due = chosenBaseline(set, fresh);
  let currentVersion = EMPTY_VERSION;
  const migrations: MigrationStatus[] = [];
  const drifted: DatabaseStatus['drifted'] = [];
  const renamed: DatabaseStatus['renamed'] = [];
  for (const migration of set.migrations) {
    const row = byVersion.get(migration.version);
    if (row && row.state !== 'rolled_back' && namesDiffer(row, migration)) renamed.push({ migration, row });
    const checksumChanged =
      row !== undefined && row.state === 'applied' && row.checksum !== migration.checksum;
    // A Flyway repeatable whose file changed is not tampering: it is due to run again.
    const rerun = checksumChanged && migration.repeatable === true;
    const coveredBy = !row && covers(ran, migration) ? ran!.version : undefined;
    const state = rerun ? 'pending' : stateOf(migration, row, coveredBy !== undefined, due);
    // Repeatables and baselines have no place in the version order: never the current version.
    if (state === 'applied' && inVersionOrder(migration)) currentVersion = migration.version;
    if (checksumChanged && row && !rerun) drifted.push({ migration, row });
    migrations.push({
      version: migration.version,
      name: migration.name,
      file: migration.file,
      state,
      appliedAt: row?.appliedAt,
      appliedBy: row?.appliedBy,
      executionId: row?.executionId,
      checksumChanged,
      ...(coveredBy ? { coveredBy } : {}),
    });
  }
  return {
    fresh,
    currentVersion,
    migrations,
    pending: migrations
      .filter((m) => m.state === 'pending' || m.state === 'rolled_back')
      .map((m) => m.version),
    dirty: history.filter((row) => row.state === 'dirty'),
    drifted,
    missing: history.filter((row) => row.state === 'applied' && !known.has(row.version)),
    renamed,
  };
}

/** "this database was migrated from a different set: 0001 is create_users there, create_customers here". */
export function differentSetMessage(renamed: DatabaseStatus['renamed']): string | undefined {
  const first = renamed[0];
  if (!first) return undefined;
  const more = renamed.length > 1 ? ` (and ${renamed.length - 1} more)` : '';
  return (
    `this database was migrated from a different set: ${first.migration.version} is ${first.row.name} there, ` +
    `${first.migration.name} here${more}`
  );
}

/** The versions in the set that are applied now. */
export function appliedVersions(status: DatabaseStatus): Set<string> {
  return new Set(status.migrations.filter((m) => m.state === 'applied').map((m) => m.version));
}

/** Refuses to go on when the history says the database is not in a state we can reason about. */
export function assertConsistent(status: DatabaseStatus, historySchema: string): void {
  const dirty = status.dirty[0];
  if (dirty) {
    throw new DirtyStateError(
      `migration ${migrationLabel(dirty)} is dirty: its ${dirty.direction} section did not finish ` +
        `(execution ${dirty.executionId}, ${dirty.appliedAt})` +
        `${dirty.message ? `: ${dirty.message}` : ''}. Inspect the database, complete or undo that change by hand, ` +
        `then run \`stepmigrate repair ${dirty.version} --mark applied --reason "…"\` ` +
        `(or \`--mark rolled_back\`), saying what you did`,
      { migration: dirty.version },
    );
  }
  const different = differentSetMessage(status.renamed);
  if (different) {
    throw new ChecksumMismatchError(
      `${different} — check that --migrations names this database's migrations folder (and --database-url its database); ` +
        'nothing was changed, and no repair renames a recorded migration',
      { migration: status.renamed[0]!.migration.version, file: status.renamed[0]!.migration.file },
    );
  }
  const drift = status.drifted[0];
  if (drift) {
    const { migration, row } = drift;
    throw new ChecksumMismatchError(
      `migration ${migrationLabel(migration)} (${migration.file}): checksum changed since it was applied ` +
        `on ${row.appliedAt.slice(0, 10)} by ${row.executionId} — has the file been tampered with? ` +
        `Restore the file as it was, or if the change is intended and harmless, run ` +
        `\`stepmigrate repair ${migration.version} --accept-checksum --reason "…"\``,
      { migration: migration.version, file: migration.file },
    );
  }
  const missing = status.missing[0];
  if (missing) {
    throw new ChecksumMismatchError(
      `migration ${migrationLabel(missing)} is applied in ${historySchema}.schema_history but its file is ` +
        `missing from the migrations directory — restore the file; a deployed migration must never be deleted`,
      { migration: missing.version },
    );
  }
}
