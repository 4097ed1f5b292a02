// The Sqitch layout, read as Sqitch reads it: sqitch.conf says where the plan and the
// `deploy/`, `revert/` and `verify/` scripts are (sqitch-config.ts), `sqitch.plan` gives the
// changes in deploy order (sqitch-plan.ts), and each change's scripts are its up section
// (deploy), down (revert; without it the change's rollback is restore-only) and verify, after
// psql's meta-commands and variables are done (psql-script.ts). The loader reads no Sqitch
// registry (the first run imports it: engine/adopt/sqitch-registry.ts); stepmigrate's own
// schema_history records what is deployed, under the identities explained
// in sqitch-changes.ts. The checksum is that of the deploy script as written, so how
// stepmigrate runs it can change without looking like tampering.
import { posix } from 'node:path';
import { checksumSql } from '../checksum.ts';
import { InputError } from '../errors.ts';
import type { Migration, MigrationSection, MigrationSet } from '../model.ts';
import { loadSqlParser } from '../sql/parse.ts';
import { scanLintDirectives } from './directives.ts';
import { filePaths, type MigrationFiles, sourceText } from './files.ts';
import { type LoaderProblem, throwIfProblems } from './problems.ts';
import { runPsqlMetaCommands } from './psql-script.ts';
import { type SqitchChange, scriptName, sqitchChanges } from './sqitch-changes.ts';
import { CONFIG_FILE, type SqitchLayout, sqitchLayout } from './sqitch-config.ts';
import { dependencyProblems } from './sqitch-dependencies.ts';
import { PLAN_FILE, parseSqitchPlan } from './sqitch-plan.ts';
import { type ScriptRole, scriptSection } from './sqitch-script.ts';

/** The project's text files that matter: configuration, plan and scripts, keyed by path relative to the project directory. */
export interface SqitchProject {
  /** Text of the plan, at the path sqitch.conf gives (sqitch.plan by default). */
  plan: string;
  config?: string;
  scripts: Readonly<Record<string, string>>;
}

export async function loadSqitchSet(files: MigrationFiles): Promise<MigrationSet> {
  const root = (await files.list('')) ?? [];
  const config = root.some((entry) => entry.name === CONFIG_FILE && entry.kind === 'file')
    ? await files.read(CONFIG_FILE)
    : undefined;
  const { layout } = sqitchLayout(config);
  const plan = await readIfPresent(files, layout.planFile);
  if (plan === undefined) {
    throw new InputError(
      `${files.root} has no ${layout.planFile}${config === undefined ? '' : ` (where ${CONFIG_FILE} puts the plan)`}; pass the directory of the Sqitch project (the one with ${CONFIG_FILE} or ${PLAN_FILE}) as --migrations`,
    );
  }
  const scripts: Record<string, string> = {};
  const directories = new Set([...Object.values(layout.dirs), ...Object.values(layout.reworkedDirs)]);
  for (const directory of directories) await readTree(files, directory, `.${layout.extension}`, scripts);
  await readIncludes(files, scripts);
  await loadSqlParser();
  return buildSqitchSet(files.root, { plan, config, scripts });
}

async function readIfPresent(files: MigrationFiles, path: string): Promise<string | undefined> {
  const slash = path.lastIndexOf('/');
  const entries = await files.list(slash === -1 ? '' : path.slice(0, slash));
  const name = path.slice(slash + 1);
  return entries?.some((entry) => entry.name === name && entry.kind === 'file')
    ? files.read(path)
    : undefined;
}

/** The files with `extension` under one script directory, at any depth. */
async function readTree(
  files: MigrationFiles,
  directory: string,
  extension: string,
  into: Record<string, string>,
): Promise<void> {
  const entries = await files.list(directory);
  if (entries === null) return;
  const paths = await filePaths(files, directory, entries, true);
  for (const path of paths.filter((candidate) => candidate.endsWith(extension))) {
    into[path] ??= await files.read(path);
  }
}

/** Files named by `\i` / `\ir` lines that are not read yet, until there are no new ones. */
async function readIncludes(files: MigrationFiles, into: Record<string, string>): Promise<void> {
  let pending = Object.keys(into);
  while (pending.length > 0) {
    const wanted = pending
      .flatMap((path) => includeCandidates(path, into[path]!))
      .filter((path) => !(path in into));
    pending = [];
    for (const path of new Set(wanted)) {
      const text = await readIfPresent(files, path).catch(() => undefined);
      if (text === undefined) continue;
      into[path] = text;
      pending.push(path);
    }
  }
}

function includeCandidates(file: string, text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/^[ \t]*\\(i|include|ir|include_relative)[ \t]+'?([^'\s]+)'?/gm)) {
    const relative = match[1] === 'ir' || match[1] === 'include_relative';
    const path = posix.normalize(posix.join(relative ? posix.dirname(file) : '.', match[2]!));
    if (!path.startsWith('../') && !posix.isAbsolute(path)) found.push(path);
  }
  return found;
}

/** Pure once the SQL parser is loaded: every problem of the project in one InputError. */
export function buildSqitchSet(directory: string, project: SqitchProject): MigrationSet {
  const { layout, problems } = sqitchLayout(project.config);
  const parsed = parseSqitchPlan(project.plan, layout.planFile);
  problems.push(...parsed.problems);
  const { plan } = parsed;
  const planned = sqitchChanges(plan);
  const planProblems = [...identityClashes(planned.changes), ...dependencyProblems(planned, plan.project)];
  problems.push(...planProblems.map((problem) => ({ ...problem, file: layout.planFile })));
  const migrations: Migration[] = [];
  for (const change of planned.changes) {
    const migration = buildChange(change, layout, project.scripts, problems);
    if (migration) migrations.push(migration);
  }
  throwIfProblems(problems, `Sqitch project ${directory}`);
  const tags = planned.tags.map((tag) => ({ name: tag.tag.name, afterVersion: tag.afterVersion }));
  return { directory, layout: 'sqitch', migrations, tags };
}

function buildChange(
  change: SqitchChange,
  layout: SqitchLayout,
  scripts: Readonly<Record<string, string>>,
  problems: LoaderProblem[],
): Migration | null {
  const reworked = change.reworkTags.length > 0;
  const dir = (role: ScriptRole) => (reworked ? layout.reworkedDirs[role] : layout.dirs[role]);
  const inDir = (role: ScriptRole, name: string) => (dir(role) === '' ? name : `${dir(role)}/${name}`);
  const name = scriptName(change, layout.extension, (file) => scripts[inDir('deploy', file)] !== undefined);
  const path = (role: ScriptRole) => inDir(role, name);
  const text = (role: ScriptRole) => {
    const raw = scripts[path(role)];
    return raw === undefined ? undefined : sourceText(raw);
  };
  const deploySql = text('deploy');
  if (deploySql === undefined) {
    problems.push({
      file: layout.planFile,
      line: change.change.line,
      message: `change "${change.change.name}" has no deploy script: ${path('deploy')} is missing; add it, or remove the change from the plan`,
    });
    return null;
  }
  const before = problems.length;
  const readFile = (file: string) => {
    const raw = scripts[file];
    return raw === undefined ? undefined : sourceText(raw);
  };
  const section = (role: ScriptRole): MigrationSection | null => {
    const sql = text(role);
    if (sql === undefined) return null;
    const variables = {
      ...(role === 'revert' ? layout.variables.revert : layout.variables.deploy),
      ...SQITCH_VARIABLES,
    };
    const psql = runPsqlMetaCommands(path(role), sql, { variables, readFile });
    problems.push(...psql.problems);
    if (psql.problems.length > 0) return null;
    const built = scriptSection(path(role), psql.sql, role);
    problems.push(...built.problems);
    return built.section;
  };
  const up = section('deploy');
  const down = section('revert');
  const verify = section('verify');
  const directives = scanLintDirectives(path('deploy'), deploySql);
  problems.push(...directives.problems);
  if (problems.length > before || !up) return null;
  const migration: Migration = {
    version: change.version,
    name: change.change.name,
    file: path('deploy'),
    up,
    down,
    irreversible: down === null,
    verify,
    lintAllows: directives.lintAllows,
    checksum: checksumSql(deploySql),
  };
  if (down) migration.downFile = path('revert');
  else
    migration.irreversibleReason = `has no revert script (${path('revert')}): its rollback is restore-only`;
  if (verify) migration.verifyFile = path('verify');
  return migration;
}

// Sqitch passes these to psql for every script (App::Sqitch::Engine::pg).
const SQITCH_VARIABLES: Readonly<Record<string, string>> = { ON_ERROR_STOP: '1', registry: 'sqitch' };

/** "users.2" is the identity of the second "users"; a change literally named so would share it. */
function identityClashes(changes: readonly SqitchChange[]): LoaderProblem[] {
  return changes.flatMap((change, index) => {
    const earlier = changes.slice(0, index).find((other) => other.version === change.version);
    if (!earlier) return [];
    return [
      {
        file: PLAN_FILE,
        line: change.change.line,
        message: `change "${change.change.name}" would be recorded as "${change.version}", which is also the identity of ${PLAN_FILE}:${earlier.change.line} (a reworked "${earlier.change.name}" is recorded as <name>.<n>); rename the change`,
      },
    ];
  });
}
