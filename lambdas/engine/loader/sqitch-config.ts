// Where a Sqitch project keeps its plan and scripts, and the psql variables its scripts get,
// from `sqitch.conf` as Sqitch resolves them (App::Sqitch::Target):
// - the target is `core.target`, else `engine.<engine>.target`, else the URI `db:<engine>:`;
//   a name without ":" is the `[target "<name>"]` section;
// - each setting is taken from `[target "<name>"]`, else `[engine "<engine>"]`, else `[core]`;
// - `top_dir` (default ".") holds `sqitch.plan`, `deploy/`, `revert/` and `verify/` unless
//   `plan_file` or `<script>_dir` say otherwise (paths relative to the project directory);
//   reworked scripts live under `reworked_dir` (default top_dir) the same way;
// - `extension` (default "sql") is the scripts' file extension;
// - variables: `[core.variables]`, then `[deploy.variables]` (`[revert.variables]` for reverts),
//   then the engine's and the target's `variables`, later ones winning.
// Only the project's own sqitch.conf is read: user and system files are outside the project,
// and the deployed workflow cannot see them.
import { posix } from 'node:path';
import { configSection, parseGitConfig } from './git-config.ts';
import type { LoaderProblem } from './problems.ts';
import type { ScriptRole } from './sqitch-script.ts';

export const CONFIG_FILE = 'sqitch.conf';

export interface SqitchLayout {
  planFile: string;
  /** Directory of each role's scripts, relative to the project directory ('' for itself). */
  dirs: Record<ScriptRole, string>;
  reworkedDirs: Record<ScriptRole, string>;
  extension: string;
  /** psql variables for deploy and verify scripts, and for revert scripts. */
  variables: { deploy: Record<string, string>; revert: Record<string, string> };
}

const ROLES: readonly ScriptRole[] = ['deploy', 'revert', 'verify'];

/** The layout Sqitch uses for the project; with no sqitch.conf, its defaults. */
export function sqitchLayout(text: string | undefined): { layout: SqitchLayout; problems: LoaderProblem[] } {
  const config = parseGitConfig(text ?? '', CONFIG_FILE);
  const problems = [...config.problems];
  const get = (key: string) => config.values.get(key);
  const report = (line: number | undefined, message: string) =>
    problems.push({ file: CONFIG_FILE, line, message });

  const engineSetting = get('core.engine');
  let engine = engineSetting?.value.trim();
  const targetSetting = get('core.target') ?? (engine ? get(`engine.${engine}.target`) : undefined);
  const target = targetSetting?.value;
  let targetName: string | undefined;
  if (target !== undefined && !target.includes(':')) {
    targetName = target;
    const uri = get(`target.${target}.uri`)?.value;
    engine ??= uri === undefined ? undefined : /^db:([^:]+):/.exec(uri)?.[1];
  } else if (target !== undefined) {
    engine ??= /^db:([^:]+):/.exec(target)?.[1];
  }
  if (engine !== undefined && engine !== 'pg') {
    report(
      engineSetting?.line ?? targetSetting?.line,
      `engine ${engine}: stepmigrate runs PostgreSQL projects only (engine = pg)`,
    );
  }
  const fetch = (key: string) =>
    (targetName !== undefined ? get(`target.${targetName}.${key}`) : undefined) ??
    get(`engine.${engine ?? 'pg'}.${key}`) ??
    get(`core.${key}`);

  const path = (key: string): string | undefined => {
    const setting = fetch(key);
    if (setting === undefined) return undefined;
    const normal = posix.normalize(setting.value.replace(/\\/g, '/').replace(/\/+$/, '') || '.');
    if (posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../')) {
      report(
        setting.line,
        `${key} = ${setting.value} points outside the project directory; stepmigrate reads only files inside it — pass the directory that holds both sqitch.conf and the scripts as --migrations`,
      );
      return undefined;
    }
    return normal === '.' ? '' : normal;
  };
  const join = (...parts: string[]) => parts.filter((part) => part !== '').join('/');
  const top = path('top_dir') ?? '';
  const reworked = path('reworked_dir') ?? top;
  const dirs = {} as Record<ScriptRole, string>;
  const reworkedDirs = {} as Record<ScriptRole, string>;
  for (const role of ROLES) {
    const own = path(`${role}_dir`);
    dirs[role] = own ?? join(top, role);
    // Sqitch's own rule: a set <role>_dir is taken below reworked_dir for reworked scripts.
    reworkedDirs[role] = path(`reworked_${role}_dir`) ?? join(reworked, own ?? role);
  }
  const extension = fetch('extension')?.value ?? 'sql';
  const variables = (command: 'deploy' | 'revert') => ({
    ...configSection(config, 'core.variables'),
    ...configSection(config, 'deploy.variables'),
    ...(command === 'revert' ? configSection(config, 'revert.variables') : {}),
    ...configSection(config, `engine.${engine ?? 'pg'}.variables`),
    ...(targetName !== undefined ? configSection(config, `target.${targetName}.variables`) : {}),
  });
  return {
    layout: {
      planFile: path('plan_file') ?? join(top, 'sqitch.plan'),
      dirs,
      reworkedDirs,
      extension,
      variables: { deploy: variables('deploy'), revert: variables('revert') },
    },
    problems,
  };
}
