// The native layout: one dbmate-compatible file per migration, `NNNN_snake_name.sql`,
// with `-- migrate:up`, `-- migrate:down` and an optional `-- migrate:verify` section.
// Pure: text in, Migration out. Every problem of a file is reported, not just the first.
import { checksumSql } from '../checksum.ts';
import type { LintAllow, Migration, MigrationSection } from '../model.ts';
import { type Report, readLintDirective } from './directives.ts';
import { sourceText } from './files.ts';
import { type LoaderProblem, throwIfProblems } from './problems.ts';
import { firstSqlLine, hasSql } from './sql-text.ts';

export const NATIVE_FILE_PATTERN = /^(\d{4,})_([a-z0-9]+(?:_[a-z0-9]+)*)\.sql$/;
export const NATIVE_FILE_HINT =
  'NNNN_snake_name.sql: four or more digits, an underscore, then lowercase letters, digits and single underscores (e.g. 0007_add_user_email.sql)';

export interface NativeFileName {
  /** The digits exactly as written, e.g. "0007". */
  version: string;
  name: string;
}

/** The version and name in a native file name, or null when it does not follow the pattern. */
export function parseNativeFileName(fileName: string): NativeFileName | null {
  const match = NATIVE_FILE_PATTERN.exec(fileName);
  return match ? { version: match[1]!, name: match[2]! } : null;
}

export interface ParsedMigrationFile {
  /** null when the file has problems. */
  migration: Migration | null;
  problems: LoaderProblem[];
}

type SectionKind = 'up' | 'down' | 'verify';

interface Marker {
  kind: SectionKind;
  line: number;
  options: string[];
  /** Offset of the marker line, and of the line after it (where the section's SQL begins). */
  markerOffset: number;
  bodyOffset: number;
}

interface Line {
  text: string;
  number: number;
  offset: number;
  /** Offset just past the line's \n (or the end of the text). */
  next: number;
}

const markerPattern = /^--\s*migrate:(\S*)(.*)$/;
const sectionKinds: readonly string[] = ['up', 'down', 'verify'];

/** Parses one native migration file. Throws one InputError listing every problem in it. */
export function parseNativeMigration(fileName: string, text: string): Migration {
  const { migration, problems } = readNativeMigration(fileName, text);
  throwIfProblems(problems, fileName);
  return migration!;
}

/** Parses one native migration file and returns its problems instead of throwing. */
export function readNativeMigration(fileName: string, rawText: string): ParsedMigrationFile {
  const problems: LoaderProblem[] = [];
  const report = (line: number | undefined, message: string) =>
    problems.push({ file: fileName, line, message });
  const fileNameParts = checkFileName(fileName, report);
  const text = sourceText(rawText);
  const lines = splitLines(text);
  const markers: Marker[] = [];
  const lintAllows: LintAllow[] = [];
  for (const line of lines) {
    const marker = markerPattern.exec(line.text);
    if (marker) {
      const parsed = readMarker(marker[1]!, marker[2]!, line, report);
      if (parsed) addMarker(markers, parsed, report);
      continue;
    }
    readLintDirective(line.text, line.number, lintAllows, report);
  }
  checkPreamble(text, markers, report);
  const sections = buildSections(text, markers, lines.length, report);
  if (problems.length > 0 || !fileNameParts || !sections) return { migration: null, problems };
  const migration: Migration = {
    version: fileNameParts.version,
    name: fileNameParts.name,
    file: fileName,
    ...sections,
    lintAllows,
    checksum: checksumSql(sections.up.sql),
  };
  const upOptions = markers.find((marker) => marker.kind === 'up')!.options;
  const lockTimeoutMs = timeoutOption(upOptions, 'lock_timeout_ms');
  const statementTimeoutMs = timeoutOption(upOptions, 'statement_timeout_ms');
  if (lockTimeoutMs !== undefined) migration.lockTimeoutMs = lockTimeoutMs;
  if (statementTimeoutMs !== undefined) migration.statementTimeoutMs = statementTimeoutMs;
  return { migration, problems };
}

function checkFileName(fileName: string, report: Report): NativeFileName | null {
  const parts = parseNativeFileName(fileName);
  if (!parts) {
    report(undefined, `file name "${fileName}" does not match ${NATIVE_FILE_HINT}`);
    return null;
  }
  if (/^0+$/.test(parts.version)) {
    report(undefined, `version ${parts.version} is reserved for "before the first migration"; start at 0001`);
    return null;
  }
  return parts;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let offset = 0;
  let number = 1;
  while (offset <= text.length) {
    const end = text.indexOf('\n', offset);
    const stop = end === -1 ? text.length : end;
    lines.push({
      text: text.slice(offset, stop).trimEnd(),
      number,
      offset,
      next: end === -1 ? stop : end + 1,
    });
    if (end === -1) break;
    offset = end + 1;
    number++;
  }
  return lines;
}

function readMarker(kind: string, rest: string, line: Line, report: Report): Marker | null {
  if (!sectionKinds.includes(kind)) {
    report(
      line.number,
      `unknown section marker "-- migrate:${kind}"; the sections are "-- migrate:up", "-- migrate:down" and "-- migrate:verify"`,
    );
    return null;
  }
  const options = rest.trim() === '' ? [] : rest.trim().split(/\s+/);
  for (const problem of optionProblems(kind as SectionKind, options)) report(line.number, problem);
  return {
    kind: kind as SectionKind,
    line: line.number,
    options,
    markerOffset: line.offset,
    bodyOffset: line.next,
  };
}

const timeoutOptionPattern = /^(lock_timeout_ms|statement_timeout_ms):(.*)$/;

function optionProblems(kind: SectionKind, options: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const option of options) {
    const key = option.split(':')[0]!;
    if (seen.has(key)) problems.push(`option "${key}" is given twice on "-- migrate:${kind}"; keep one`);
    seen.add(key);
    const problem = optionProblem(kind, option);
    if (problem) problems.push(problem);
  }
  return problems;
}

function optionProblem(kind: SectionKind, option: string): string | null {
  if (option === 'transaction:false' || option === 'transaction:true') {
    return kind === 'verify'
      ? `"${option}" is not allowed on "-- migrate:verify": verify always runs in a transaction that is rolled back; remove it`
      : null;
  }
  if (option === 'irreversible') {
    return kind === 'down'
      ? null
      : `"irreversible" belongs on the down marker: write "-- migrate:down irreversible" instead`;
  }
  if (option === 'runner:task' || option === 'runner:lambda') {
    return kind === 'verify'
      ? `"${option}" is not allowed on "-- migrate:verify": verify runs with the other checks; remove it`
      : null;
  }
  const timeout = timeoutOptionPattern.exec(option);
  if (timeout) {
    if (kind !== 'up') return `"${timeout[1]}" belongs on the up marker ("-- migrate:up ${option}")`;
    return /^[1-9]\d*$/.test(timeout[2]!)
      ? null
      : `"${option}" needs a whole number of milliseconds greater than 0, e.g. ${timeout[1]}:5000`;
  }
  return `unknown option "${option}" on "-- migrate:${kind}"; the options are ${allowedOptions(kind)}`;
}

function allowedOptions(kind: SectionKind): string {
  if (kind === 'up') return 'transaction:false, runner:task, lock_timeout_ms:N and statement_timeout_ms:N';
  if (kind === 'down') return 'transaction:false, runner:task and irreversible';
  return 'none';
}

function addMarker(markers: Marker[], marker: Marker, report: Report): void {
  const earlier = markers.find((existing) => existing.kind === marker.kind);
  if (earlier) {
    report(
      marker.line,
      `second "-- migrate:${marker.kind}" marker (the first is on line ${earlier.line}); a file holds one migration, so merge the two sections or move one into a new migration`,
    );
    return;
  }
  if (markers.length === 0 && marker.kind !== 'up') {
    report(marker.line, `"-- migrate:${marker.kind}" comes before "-- migrate:up"; put the up section first`);
  }
  markers.push(marker);
}

function checkPreamble(text: string, markers: readonly Marker[], report: Report): void {
  const firstMarker = markers[0];
  const preamble = text.slice(0, firstMarker ? firstMarker.markerOffset : text.length);
  const sqlLine = firstSqlLine(preamble);
  if (sqlLine === null) return;
  report(
    sqlLine + 1,
    firstMarker
      ? `SQL before the first section marker; move it below "-- migrate:up" (only comments may come before it)`
      : `SQL outside any section; start the file with "-- migrate:up" (and add "-- migrate:down")`,
  );
}

interface Sections {
  up: MigrationSection;
  down: MigrationSection | null;
  irreversible: boolean;
  verify: MigrationSection | null;
}

function buildSections(
  text: string,
  markers: readonly Marker[],
  lineCount: number,
  report: Report,
): Sections | null {
  const section = (kind: SectionKind): { marker: Marker; section: MigrationSection } | null => {
    const index = markers.findIndex((marker) => marker.kind === kind);
    if (index === -1) return null;
    const marker = markers[index]!;
    const end = markers[index + 1]?.markerOffset ?? text.length;
    const transaction = !marker.options.includes('transaction:false');
    const built: MigrationSection = {
      sql: text.slice(marker.bodyOffset, end),
      startLine: marker.line + 1,
      transaction,
    };
    if (marker.options.includes('runner:task')) built.runner = 'task';
    return { marker, section: built };
  };
  if (markers.length === 0) {
    // The preamble check has already said "SQL outside any section" when there is SQL.
    if (!hasSql(text))
      report(1, 'no sections; write "-- migrate:up", its SQL, then "-- migrate:down" and its SQL');
    return null;
  }
  const up = section('up');
  const down = section('down');
  const verify = section('verify');
  if (!up) {
    report(1, 'no "-- migrate:up" section; start the file with "-- migrate:up"');
  } else if (!hasSql(up.section.sql)) {
    report(
      up.marker.line,
      'the up section is empty (comments only); write the SQL the migration applies below it',
    );
  }
  const irreversible = down?.marker.options.includes('irreversible') ?? false;
  if (!down) {
    report(
      lineCount,
      'no "-- migrate:down" section; add one that undoes the up section, or write "-- migrate:down irreversible" if it cannot be undone',
    );
  } else {
    checkDown(down.section, down.marker, irreversible, report);
  }
  if (!up || !down) return null;
  return {
    up: up.section,
    down: irreversible ? null : down.section,
    irreversible,
    verify: verify && hasSql(verify.section.sql) ? verify.section : null,
  };
}

function checkDown(down: MigrationSection, marker: Marker, irreversible: boolean, report: Report): void {
  const sqlLine = firstSqlLine(down.sql);
  if (irreversible && sqlLine !== null) {
    report(
      down.startLine + sqlLine,
      'the down section is marked irreversible but has SQL; remove the SQL, or drop "irreversible" if this SQL undoes the migration',
    );
  }
  if (!irreversible && down.sql.trim() === '') {
    report(
      marker.line,
      'the down section is empty; write the SQL that undoes the up section, write "-- migrate:down irreversible" if it cannot be undone, or a comment saying why nothing needs undoing',
    );
  }
}

function timeoutOption(options: readonly string[], key: string): number | undefined {
  const option = options.find((candidate) => candidate.startsWith(`${key}:`));
  return option === undefined ? undefined : Number(option.slice(key.length + 1));
}
