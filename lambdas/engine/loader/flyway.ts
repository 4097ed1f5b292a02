// The Flyway layout, read as Flyway reads it: `V<version>__<description>.sql` (versioned),
// `U<version>__<description>.sql` (its undo, the down section), `R__<description>.sql`
// (repeatable) and `B<version>__<description>.sql` (baseline), in any subdirectory of the
// directories `flyway.locations` names (the whole migrations directory by default), with the
// placeholders of flyway.conf replaced (flyway-placeholders.ts).
// Versions are dotted numbers ("1.10" after "1.9"; "1_1" means "1.1"; "1" equals "1.0").
// Callback scripts (beforeMigrate.sql, afterEachMigrate__x.sql …) are not migrations.
// Baseline migrations: kept in the set next to the versioned ones, as `B<version>` marked
// baselineOf, after every other migration. Planning decides, as Flyway does: on a database with
// no history the newest baseline at or below the target runs instead of the versioned
// migrations up to its version; on a database with history, baselines are ignored.
// The checksum is that of the file as written, before placeholders, so `${flyway:timestamp}`
// is no tampering; a repeatable's also covers the placeholder values it uses, so changing one
// runs it again, as in Flyway.
import { checksumSql } from '../checksum.ts';
import { InputError } from '../errors.ts';
import { baselineId, type Migration, type MigrationSet } from '../model.ts';
import { filePaths, type MigrationFiles, readSqlFiles, type SourceFile, sourceText } from './files.ts';
import { FLYWAY_CONFIG_FILES, flywayLocations, parseFlywayConfig } from './flyway-config.ts';
import { flywayPlaceholders, replacePlaceholders } from './flyway-placeholders.ts';
import { type LoaderProblem, throwIfProblems } from './problems.ts';
import { compareVersions } from './versions.ts';
import { buildWholeFileMigration } from './whole-file.ts';

const versionedPattern = /^([VUB])(\d+(?:[._]\d+)*)__(.+)\.sql$/;
const repeatablePattern = /^R__(.+)\.sql$/;
const attemptPattern = /^([VUB]\d|R_)/;
const callbackPattern = /^(before|after)[A-Z][A-Za-z]*(__.*)?\.sql$/;
const FLYWAY_HINT =
  'V<version>__<description>.sql, U<version>__<description>.sql, B<version>__<description>.sql or R__<description>.sql';

/** Version id of a repeatable migration in schema_history: it has no version of its own. */
export function repeatableVersion(description: string): string {
  return `R__${description}`;
}

export type FlywayFileName =
  | { kind: 'versioned' | 'undo' | 'baseline'; version: string; description: string }
  | { kind: 'repeatable'; description: string };

/** What a Flyway file name declares; null for files that are not migrations (callbacks, other SQL). */
export function parseFlywayFileName(path: string): FlywayFileName | null {
  const base = baseName(path);
  const versioned = versionedPattern.exec(base);
  if (versioned) {
    const kind = versioned[1] === 'V' ? 'versioned' : versioned[1] === 'U' ? 'undo' : 'baseline';
    return { kind, version: versioned[2]!.replace(/_/g, '.'), description: versioned[3]! };
  }
  const repeatable = repeatablePattern.exec(base);
  return repeatable ? { kind: 'repeatable', description: repeatable[1]! } : null;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export async function loadFlywaySet(files: MigrationFiles): Promise<MigrationSet> {
  const flywayConf: { name: string; text: string }[] = [];
  for (const name of FLYWAY_CONFIG_FILES) {
    const text = await readConfig(files, name);
    if (text !== null) flywayConf.push({ name, text });
  }
  const { config, problems } = parseFlywayConfig(flywayConf);
  const locations = flywayLocations(config, problems);
  throwIfProblems(problems, `Flyway configuration of ${files.root}`);
  const sources =
    locations === undefined ? await readSqlFiles(files, true) : await readLocations(files, locations);
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
    { flywayConf },
  );
}

/** Every `*.sql` file under each location, once, by path relative to the migrations directory. */
async function readLocations(files: MigrationFiles, locations: readonly string[]): Promise<SourceFile[]> {
  const paths = new Set<string>();
  for (const location of locations) {
    const entries = await files.list(location);
    if (entries === null) {
      throw new InputError(
        `flyway.locations names filesystem:${location}, which is not a directory in ${files.root}; fix flyway.locations or create it`,
      );
    }
    for (const path of await filePaths(files, location, entries, true))
      if (/\.sql$/i.test(path)) paths.add(path);
  }
  const names = [...paths].sort();
  return Promise.all(names.map(async (name) => ({ name, text: await files.read(name) })));
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

export interface FlywaySettings {
  /** The text of conf/flyway.conf and flyway.conf, in that order, where present. */
  flywayConf?: readonly { name: string; text: string }[];
  /** What `${flyway:timestamp}` says; the time of loading by default. */
  now?: Date;
}

/**
 * Pure. `configs` maps a migration's path to the text of its `<file>.conf` script
 * configuration, of which `executeInTransaction` is honoured.
 */
export function buildFlywaySet(
  directory: string,
  sources: readonly SourceFile[],
  configs: Readonly<Record<string, string>> = {},
  settings: FlywaySettings = {},
): MigrationSet {
  const { config, problems } = parseFlywayConfig(settings.flywayConf ?? []);
  const placeholders = flywayPlaceholders(config, directory, settings.now ?? new Date());
  const versioned: Versioned[] = [];
  const undo: Versioned[] = [];
  const baseline: Versioned[] = [];
  const repeatable: Named<{ description: string }>[] = [];
  for (const source of sources) {
    const parsed = parseFlywayFileName(source.name);
    if (parsed?.kind === 'versioned') versioned.push({ source, parsed });
    else if (parsed?.kind === 'undo') undo.push({ source, parsed });
    else if (parsed?.kind === 'baseline') baseline.push({ source, parsed });
    else if (parsed?.kind === 'repeatable') repeatable.push({ source, parsed });
    else if (attemptPattern.test(baseName(source.name)) && !callbackPattern.test(baseName(source.name))) {
      problems.push({
        file: source.name,
        message: `file name "${baseName(source.name)}" does not match ${FLYWAY_HINT}`,
      });
    }
  }
  const byVersion = (a: Versioned, b: Versioned) => compareVersions(a.parsed.version, b.parsed.version);
  baseline.sort(byVersion);
  problems.push(...duplicates(baseline, 'B'));
  versioned.sort(byVersion);
  undo.sort(byVersion);
  repeatable.sort((a, b) => (a.parsed.description < b.parsed.description ? -1 : 1));
  problems.push(...duplicates(versioned, 'V'), ...duplicates(undo, 'U'), ...duplicateRepeatables(repeatable));
  problems.push(...orphanUndos(versioned, undo));

  const migrations: Migration[] = [];
  const replaced = (source: SourceFile) => {
    const result = replacePlaceholders(source.name, sourceText(source.text), placeholders);
    problems.push(...result.problems);
    return { source: { ...source, text: result.sql }, used: result.used };
  };
  const build = (
    version: string,
    description: string,
    up: SourceFile,
    down?: SourceFile,
    missingDown?: string,
  ) => {
    const transaction = executeInTransaction(up.name, configs[up.name], problems);
    const upReplaced = replaced(up);
    const downReplaced = down && replaced(down).source;
    const built = buildWholeFileMigration({
      version,
      name: description,
      up: upReplaced.source,
      down: downReplaced,
      transaction,
      missingDown,
    });
    problems.push(...built.problems);
    if (!built.migration) return null;
    const values = upReplaced.used.map((name) => `${name}=${placeholders.values.get(name)}`);
    return { ...built.migration, checksum: checksumSql(sourceText(up.text)), placeholderValues: values };
  };
  for (const { source, parsed } of versioned) {
    const down = undo.find((candidate) => compareVersions(candidate.parsed.version, parsed.version) === 0);
    const undoName = baseName(source.name).replace(/^V/, 'U');
    const built = build(
      parsed.version,
      parsed.description,
      source,
      down?.source,
      `has no undo file (${undoName}): its rollback is restore-only`,
    );
    if (built) {
      const { placeholderValues: _values, ...migration } = built;
      migrations.push(migration);
    }
  }
  for (const { source, parsed } of repeatable) {
    const built = build(repeatableVersion(parsed.description), parsed.description, source);
    if (!built) continue;
    const { placeholderValues, ...migration } = built;
    const checksum =
      placeholderValues.length === 0
        ? migration.checksum
        : checksumSql(`${sourceText(source.text)}\n-- placeholders: ${placeholderValues.join(', ')}`);
    migrations.push({ ...migration, checksum, repeatable: true });
  }
  for (const { source, parsed } of baseline) {
    const built = build(
      baselineId(parsed.version),
      parsed.description,
      source,
      undefined,
      'is a baseline migration, which has no undo: its rollback is restore-only',
    );
    if (!built) continue;
    const { placeholderValues: _values, ...migration } = built;
    migrations.push({ ...migration, baselineOf: parsed.version });
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
