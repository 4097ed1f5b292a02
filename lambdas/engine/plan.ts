// Which migrations a run applies or reverts, in which order, to reach its target.
import { InputError } from './errors.ts';
import { LATEST_TARGET, targetIndex } from './loader/versions.ts';
import {
  type Direction,
  EMPTY_VERSION,
  inVersionOrder,
  type MigrationSet,
  migrationLabel,
  type PlanStep,
} from './model.ts';
import { appliedVersions, chosenBaseline, covers, type DatabaseStatus } from './status.ts';

export interface PlannedSteps {
  fromVersion: string;
  toVersion: string;
  direction: Direction;
  steps: PlanStep[];
}

/**
 * Up: every migration at or below the target that is not applied, in file order (a lower
 * pending migration is applied too, as Flyway's out-of-order mode does). Down: every
 * applied migration above the target, newest first. A target that would need both is
 * refused: the history has a gap that a person should look at.
 * Flyway baseline migrations: on a database with no history (ours or imported), the newest
 * baseline at or below the target runs first, in place of the versioned migrations up to its
 * version, which are not run; on a database with history they are ignored. What a baseline
 * built has no undo: a target below it is restore-only.
 */
export function planSteps(set: MigrationSet, status: DatabaseStatus, target: string): PlannedSteps {
  const last = targetIndex(set, target);
  // Flyway repeatables stand outside the version order: never the target, never reverted.
  const versioned = set.migrations.slice(0, last + 1).filter(inVersionOrder);
  const toVersion = versioned.at(-1)?.version ?? EMPTY_VERSION;
  const applied = appliedVersions(status);
  const baseline =
    last === -1
      ? undefined
      : chosenBaseline(set, status.fresh, target.trim() === LATEST_TARGET ? undefined : toVersion);
  const up: PlanStep[] = baseline
    ? [{ version: baseline.version, name: baseline.name, direction: 'up' }]
    : [];
  const down: PlanStep[] = [];
  set.migrations.forEach((migration, index) => {
    const isApplied = applied.has(migration.version);
    if (!inVersionOrder(migration) || covers(baseline, migration)) return;
    if (index <= last && !isApplied)
      up.push({ version: migration.version, name: migration.name, direction: 'up' });
    if (index > last && isApplied)
      down.unshift({ version: migration.version, name: migration.name, direction: 'down' });
  });
  // New or changed repeatables run after the versioned migrations of any run that goes up, as in Flyway.
  if (down.length === 0 && last !== -1) {
    for (const migration of set.migrations) {
      if (migration.repeatable && !applied.has(migration.version))
        up.push({ version: migration.version, name: migration.name, direction: 'up' });
    }
  }
  if (up.length > 0 && down.length > 0) {
    throw new InputError(
      `target ${toVersion} needs both applying (${up.map((s) => s.version).join(', ')}) and reverting ` +
        `(${down.map((s) => s.version).join(', ')}); run towards each separately`,
    );
  }
  const coveredBy = new Map(status.migrations.map((m) => [m.version, m.coveredBy]));
  for (const step of down) {
    const migration = set.migrations.find((m) => m.version === step.version)!;
    const baselineId = coveredBy.get(migration.version);
    if (baselineId !== undefined) {
      throw new InputError(
        `target ${toVersion} is below ${migrationLabel(migration)}, which the baseline migration ${baselineId} ` +
          'built in its place; a baseline has no undo, so this can only be undone by restoring the backup taken when it was applied ' +
          '(`stepmigrate backups`, `stepmigrate restore`)',
        { migration: migration.version, file: migration.file },
      );
    }
    if (migration.irreversible) {
      throw new InputError(
        `target ${toVersion} is below ${migrationLabel(migration)}, which ` +
          `${migration.irreversibleReason ?? 'is marked irreversible (its down section says so)'}; it can only be undone by restoring the backup taken when it was applied ` +
          `(\`stepmigrate backups\`, \`stepmigrate restore\`)`,
        { migration: migration.version, file: migration.file },
      );
    }
  }
  return {
    fromVersion: status.currentVersion,
    toVersion,
    direction: down.length > 0 ? 'down' : 'up',
    steps: down.length > 0 ? down : up,
  };
}
