// The Flyway layout, read as it is: `V<version>__<description>.sql` (versioned),
// `U<version>__<description>.sql` (its undo, the down section) and
// `R__<description>.sql` (repeatable), in any subdirectory, as Flyway scans them.
// Versions are dotted numbers ("1.10" after "1.9"; "1_1" means "1.1"; "1" equals "1.0").
// Callback scripts (beforeMigrate.sql, afterEachMigrate__x.sql …) are not migrations.
import type { Migration, MigrationSet } from '../model.ts';
import { type MigrationFiles, readSqlFiles, type SourceFile } from './files.ts';
import { type LoaderProblem, throwIfProblems } from './problems.ts';
import { compareVersions } from './versions.ts';
import { buildWholeFileMigration } from './whole-file.ts';

const versionedPattern = /^([VU])(\d+(?:[._]\d+)*)__(.+)\.sql$/;
const repeatablePattern = /^R__(.+)\.sql$/;
const attemptPattern = /^([VU]\d|R_)/;
const callbackPattern = /^(before|after)[A-Z][A-Za-z]*(__.*)?\.sql$/;
const FLYWAY_HINT = 'V<version>__<description>.sql, U<version>__<description>.sql or R__<description>.sql';

/** Version id of a repeatable migration in schema_history: it has no version of its own. */
export function repeatableVersion(description: string): string {
  return `R__${description}`;
}

export type FlywayFileName =
  | { kind: 'versioned' | 'undo'; version: string; description: string }
  | { kind: 'repeatable'; description: string };

/** What a Flyway file name declares; null for files that are not migrations (callbacks, other SQL). */
export function parseFlywayFileName(path: string): FlywayFileName | null {
  const base = baseName(path);
  const versioned = versionedPattern.exec(base);
  if (versioned) {
    const kind = versioned[1] === 'V' ? 'versioned' : 'undo';
    return { kind, version: versioned[2]!.replace(/_/g, '.'), description: versioned[3]! };
  }
  const repeatable = repeatablePattern.exec(base);
  return repeatable ? { kind: 'repeatable', description: repeatable[1]! } : null;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export async function loadFlywaySet(files: MigrationFiles): Promise<MigrationSet> {
  const sources = await readSqlFiles(files, true);
  const configs = await Promise.all(
    sources.map(async (source) => ({
      name: source.name,
      text: await readConfig(files, `${source.name}.conf`),
    })),
  );
  return buildFlywaySet(
    files.root,
    sources,
    Object.fromEntries(
      configs.flatMap((config) => (config.text === null ? [] : [[config.name, config.text]])),
    ),
  );
}

async function readConfig(files: MigrationFiles, path: string): Promise<string | null> {
  const directory = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
  const entries = await files.list(directory);
  return entries?.some((entry) => entry.name === baseName(path)) ? files.read(path) : null;
}

interface Named<T> {
  source: SourceFile;
  parsed: T;
}
type Versioned = Named<{ version: string; description: string }>;

/**
 * Pure. `configs` maps a migration's path to the text of its `<file>.conf` script
 * configuration, of which `executeInTransaction` is honoured.
 */
export function buildFlywaySet(
  directory: string,
  sources: readonly SourceFile[],
  configs: Readonly<Record<string, string>> = {},
): MigrationSet {
  const problems: LoaderProblem[] = [];
  const versioned: Versioned[] = [];
  const undo: Versioned[] = [];
  const repeatable: Named<{ description: string }>[] = [];
  for (const source of sources) {
    const parsed = parseFlywayFileName(source.name);
    if (parsed?.kind === 'versioned') versioned.push({ source, parsed });
    else if (parsed?.kind === 'undo') undo.push({ source, parsed });
    else if (parsed?.kind === 'repeatable') repeatable.push({ source, parsed });
    else if (attemptPattern.test(baseName(source.name)) && !callbackPattern.test(baseName(source.name))) {
      problems.push({
        file: source.name,
        message: `file name "${baseName(source.name)}" does not match ${FLYWAY_HINT}`,
      });
    }
  }
  const byVersion = (a: Versioned, b: Versioned) => compareVersions(a.parsed.version, b.parsed.version);
  versioned.sort(byVersion);
  undo.sort(byVersion);
  repeatable.sort((a, b) => (a.parsed.description < b.parsed.description ? -1 : 1));
  problems.push(...duplicates(versioned, 'V'), ...duplicates(undo, 'U'), ...duplicateRepeatables(repeatable));
  problems.push(...orphanUndos(versioned, undo));

  const migrations: Migration[] = [];
  const build = (version: string, description: string, up: SourceFile, down?: SourceFile) => {
    const transaction = executeInTransaction(up.name, configs[up.name], problems);
    const built = buildWholeFileMigration({ version, name: description, up, down, transaction });
    problems.push(...built.problems);
    return built.migration;
  };
  for (const { source, parsed } of versioned) {
    const down = undo.find((candidate) => compareVersions(candidate.parsed.version, parsed.version) === 0);
    const migration = build(parsed.version, parsed.description, source, down?.source);
    if (migration) migrations.push(migration);
  }
  for (const { source, parsed } of repeatable) {
    const migration = build(repeatableVersion(parsed.description), parsed.description, source);
    if (migration) migrations.push({ ...migration, repeatable: true });
  }
  throwIfProblems(problems, `migrations directory ${directory}`);
  return { directory, layout: 'flyway', migrations };
}

function duplicates(sorted: readonly Versioned[], prefix: string): LoaderProblem[] {
  return sorted.flatMap((current, index) => {
    const previous = sorted[index - 1];
    if (!previous || compareVersions(previous.parsed.version, current.parsed.version) !== 0) return [];
    return [
      {
        file: current.source.name,
        message: `${prefix}${current.parsed.version} is also used by ${previous.source.name} (Flyway reads "1" and "1.0" as the same version); renumber one of them`,
      },
    ];
  });
}

function duplicateRepeatables(sorted: readonly Named<{ description: string }>[]): LoaderProblem[] {
  return sorted.flatMap((current, index) => {
    const previous = sorted[index - 1];
    if (previous?.parsed.description !== current.parsed.description) return [];
    return [
      {
        file: current.source.name,
        message: `repeatable migration "${current.parsed.description}" is also defined by ${previous.source.name}; rename one of them`,
      },
    ];
  });
}

function orphanUndos(versioned: readonly Versioned[], undo: readonly Versioned[]): LoaderProblem[] {
  return undo
    .filter((u) => !versioned.some((v) => compareVersions(v.parsed.version, u.parsed.version) === 0))
    .map((u) => ({
      file: u.source.name,
      message: `undo migration for version ${u.parsed.version}, but there is no V${u.parsed.version}__….sql; add it or remove this file`,
    }));
}

/** `executeInTransaction=true|false` from a script configuration file; undefined: detect from the SQL. */
function executeInTransaction(
  file: string,
  config: string | undefined,
  problems: LoaderProblem[],
): boolean | undefined {
  if (config === undefined) return undefined;
  const lines = config.split(/\r\n?|\n/);
  const index = lines.findIndex((line) => /^\s*executeInTransaction\s*=/.test(line));
  if (index === -1) return undefined;
  const value = lines[index]!.split('=')[1]!.trim();
  if (value === 'true' || value === 'false') return value === 'true';
  problems.push({
    file: `${file}.conf`,
    line: index + 1,
    message: `executeInTransaction must be true or false, not "${value}"`,
  });
  return undefined;
}
