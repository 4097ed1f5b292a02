// Naming the next native migration: the version after the highest one, in the width
// the directory already uses, and a name the loader will accept.
import { InputError } from '../errors.ts';
import { parseNativeFileName } from './native.ts';
import { compareVersions } from './versions.ts';

const DEFAULT_WIDTH = 4;
const migrationName = /^[a-z0-9]+(?:_[a-z0-9]+)*$/;

/** The version after the highest one among `fileNames` ("0001" when there is none). */
export function nextNativeVersion(fileNames: readonly string[]): string {
  const versions = fileNames.flatMap((fileName) => parseNativeFileName(fileName)?.version ?? []);
  const highest = versions.sort(compareVersions).at(-1);
  if (highest === undefined) return '1'.padStart(DEFAULT_WIDTH, '0');
  return (BigInt(highest) + 1n).toString().padStart(highest.length, '0');
}

/** Throws an InputError with a usable suggestion when `name` is not lowercase snake case. */
export function checkMigrationName(name: string): void {
  if (migrationName.test(name)) return;
  const suggestion = suggestName(name);
  const hint = suggestion ? `, e.g. "${suggestion}"` : '';
  throw new InputError(
    `migration name "${name}" is not lowercase snake case: use lowercase letters, digits and single underscores${hint}`,
  );
}

function suggestName(name: string): string {
  return name
    .replace(/\.sql$/i, '')
    .replace(/^\d+_/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

export function nativeFileName(version: string, name: string): string {
  return `${version}_${name}.sql`;
}
