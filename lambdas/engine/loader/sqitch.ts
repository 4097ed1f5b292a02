// The Sqitch layout, read as it is: `sqitch.plan` gives the changes in deploy order, and
// each change's scripts are `deploy/<name>.sql` (the up section), `revert/<name>.sql` (down;
// without it the change is irreversible) and `verify/<name>.sql` (verify). The loader reads no
// Sqitch registry (the first run imports it: engine/adopt/sqitch-registry.ts); stepmigrate's own
// schema_history records what is deployed, under the
// identities explained in sqitch-changes.ts. The checksum is that of the deploy script as
// written, so how stepmigrate runs it can change without looking like tampering.
import { checksumSql } from '../checksum.ts';
import { InputError } from '../errors.ts';
import type { Migration, MigrationSection, MigrationSet } from '../model.ts';
import { loadSqlParser } from '../sql/parse.ts';
import { scanLintDirectives } from './directives.ts';
import { filePaths, type MigrationFiles, sourceText } from './files.ts';
import { type LoaderProblem, throwIfProblems } from './problems.ts';
import { type SqitchChange, scriptName, sqitchChanges } from './sqitch-changes.ts';
import { CONFIG_FILE, configProblems } from './sqitch-config.ts';
import { dependencyProblems } from './sqitch-dependencies.ts';
import { PLAN_FILE, parseSqitchPlan } from './sqitch-plan.ts';
import { type ScriptRole, scriptSection } from './sqitch-script.ts';
import { hasSql } from './sql-text.ts';

const SCRIPT_DIRECTORIES: readonly ScriptRole[] = ['deploy', 'revert', 'verify'];

/** The project's text files that matter: plan, configuration and every script, keyed by relative path. */
export interface SqitchProject {
  plan: string;
  config?: string;
  scripts: Readonly<Record<string, string>>;
}

export async function loadSqitchSet(files: MigrationFiles): Promise<MigrationSet> {
  const root = (await files.list('')) ?? [];
  const has = (name: string) => root.some((entry) => entry.name === name && entry.kind === 'file');
  if (!has(PLAN_FILE)) {
    throw new InputError(
      `${files.root} has no ${PLAN_FILE}; pass the directory of the Sqitch project as --migrations`,
    );
  }
  const scripts: Record<string, string> = {};
  for (const directory of SCRIPT_DIRECTORIES) await readTree(files, directory, scripts);
  const project: SqitchProject = {
    plan: await files.read(PLAN_FILE),
    config: has(CONFIG_FILE) ? await files.read(CONFIG_FILE) : undefined,
    scripts,
  };
  await loadSqlParser();
  return buildSqitchSet(files.root, project);
}

/** The `*.sql` files under one script directory, at any depth. */
async function readTree(
  files: MigrationFiles,
  directory: string,
  into: Record<string, string>,
): Promise<void> {
  const paths = await filePaths(files, directory, (await files.list(directory)) ?? [], true);
  for (const path of paths.filter((candidate) => candidate.endsWith('.sql'))) {
    into[path] = await files.read(path);
  }
}

/** Pure once the SQL parser is loaded: every problem of the project in one InputError. */
export function buildSqitchSet(directory: string, project: SqitchProject): MigrationSet {
  const { plan, problems } = parseSqitchPlan(project.plan);
  if (project.config !== undefined) problems.push(...configProblems(project.config));
  const planned = sqitchChanges(plan);
  problems.push(...identityClashes(planned.changes), ...dependencyProblems(planned, plan.project));
  const migrations: Migration[] = [];
  for (const change of planned.changes) {
    const migration = buildChange(change, project.scripts, problems);
    if (migration) migrations.push(migration);
  }
  throwIfProblems(problems, `Sqitch project ${directory}`);
  const tags = planned.tags.map((tag) => ({ name: tag.tag.name, afterVersion: tag.afterVersion }));
  return { directory, layout: 'sqitch', migrations, tags };
}

function buildChange(
  change: SqitchChange,
  scripts: Readonly<Record<string, string>>,
  problems: LoaderProblem[],
): Migration | null {
  const name = scriptName(change, (path) => scripts[path] !== undefined);
  const path = (role: ScriptRole) => `${role}/${name}`;
  const text = (role: ScriptRole) => {
    const raw = scripts[path(role)];
    return raw === undefined ? undefined : sourceText(raw);
  };
  const deploySql = text('deploy');
  if (deploySql === undefined) {
    problems.push({
      file: PLAN_FILE,
      line: change.change.line,
      message: `change "${change.change.name}" has no deploy script: ${path('deploy')} is missing; add it, or remove the change from the plan`,
    });
    return null;
  }
  const before = problems.length;
  const section = (role: ScriptRole): MigrationSection | null => {
    const sql = text(role);
    if (sql === undefined) return null;
    const built = scriptSection(path(role), sql, role);
    problems.push(...built.problems);
    return built.section;
  };
  const up = section('deploy');
  const down = section('revert');
  const verify = section('verify');
  const directives = scanLintDirectives(path('deploy'), deploySql);
  problems.push(...directives.problems);
  if (up && !hasSql(up.sql)) {
    problems.push({
      file: path('deploy'),
      line: 1,
      message: 'the deploy script has no SQL besides BEGIN and COMMIT (comments only); write the change',
    });
  }
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
  if (verify) migration.verifyFile = path('verify');
  return migration;
}

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
