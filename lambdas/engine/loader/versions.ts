// Versions are compared as numbers, never as strings: "0010" comes after "0009", "10"
// equals "0010", and Flyway's "1.10" comes after "1.9". The order of a MigrationSet is
// the apply order; these helpers turn a user's target into a position in it.
import { InputError } from '../errors.ts';
import { EMPTY_VERSION, type Migration, type MigrationSet } from '../model.ts';
import { describeSqitchTargets, sqitchTargetIndex } from './sqitch-target.ts';

export const LATEST_TARGET = 'latest';

const numericVersion = /^\d+([._]\d+)*$/;

export function isNumericVersion(version: string): boolean {
  return numericVersion.test(version);
}

function segments(version: string): bigint[] {
  return version.split(/[._]/).map((part) => BigInt(part));
}

/**
 * Negative, zero or positive like a sort comparator. Numeric versions compare segment by
 * segment, a missing segment counting as 0 (so "1" = "1.0", as Flyway has it). Anything
 * else (Sqitch change ids) falls back to plain string order.
 */
export function compareVersions(a: string, b: string): number {
  if (!isNumericVersion(a) || !isNumericVersion(b)) return a < b ? -1 : a > b ? 1 : 0;
  const left = segments(a);
  const right = segments(b);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const l = left[i] ?? 0n;
    const r = right[i] ?? 0n;
    if (l !== r) return l < r ? -1 : 1;
  }
  return 0;
}

export function sameVersion(a: string, b: string): boolean {
  return compareVersions(a, b) === 0;
}

/** "0", "00" … : the state before the first migration. */
export function isEmptyVersion(version: string): boolean {
  return isNumericVersion(version) && segments(version).every((part) => part === 0n);
}

/** Position of `version` in the set (exact spelling first, then numeric equality), or -1. */
export function indexOfVersion(migrations: readonly Migration[], version: string): number {
  const exact = migrations.findIndex((migration) => migration.version === version);
  if (exact !== -1 || !isNumericVersion(version)) return exact;
  return migrations.findIndex(
    (migration) => isNumericVersion(migration.version) && sameVersion(migration.version, version),
  );
}

/**
 * The index a target points at: -1 for "0" (nothing applied), the last index for
 * "latest", else the index of the named version. Throws InputError naming the choices.
 */
export function targetIndex(set: MigrationSet, target: string): number {
  const wanted = target.trim();
  if (wanted === LATEST_TARGET) return set.migrations.length - 1;
  if (isEmptyVersion(wanted)) return -1;
  if (set.layout === 'sqitch') return sqitchTarget(set, target, wanted);
  const index = indexOfVersion(set.migrations, wanted);
  // A Flyway baseline is no target: it runs only in place of the versioned migrations up to it.
  if (index !== -1 && set.migrations[index]!.baselineOf === undefined) return index;
  throw new InputError(
    `target "${target}" is not a migration in ${set.directory}; use "${LATEST_TARGET}", "${EMPTY_VERSION}" (before the first migration) or one of the versions: ${describeVersions(set.migrations)}`,
  );
}

function sqitchTarget(set: MigrationSet, target: string, wanted: string): number {
  const index = sqitchTargetIndex(set, wanted);
  if (index !== undefined) return index;
  throw new InputError(
    `target "${target}" is not in the plan of ${set.directory}; use "${LATEST_TARGET}", "${EMPTY_VERSION}" (before the first change), ${describeSqitchTargets(set)}`,
  );
}

/** The version a target resolves to, spelled as in the set ("4" → "0004"); "0" for the empty state. */
export function resolveTarget(set: MigrationSet, target: string): string {
  const index = targetIndex(set, target);
  return index === -1 ? EMPTY_VERSION : set.migrations[index]!.version;
}

function describeVersions(migrations: readonly Migration[]): string {
  if (migrations.length === 0) return '(none: the directory has no migrations)';
  const versions = migrations.filter((m) => m.baselineOf === undefined).map((migration) => migration.version);
  if (versions.length <= 12) return versions.join(', ');
  return `${versions.slice(0, 5).join(', ')} … ${versions.slice(-5).join(', ')}`;
}
