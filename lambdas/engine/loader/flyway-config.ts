// Flyway's configuration files, read as Flyway reads them: Java properties
// (`key=value`, `key: value` or `key value`; `#`/`!` comments; a trailing backslash continues a
// line; `\uXXXX` and backslash escapes), `conf/flyway.conf` first and then `flyway.conf`, the
// later file winning (Flyway's installation, then its working directory, which here is the
// migrations directory). Settings that change how files are named are refused unless they keep
// Flyway's defaults: stepmigrate would otherwise misread the project.
import type { LoaderProblem } from './problems.ts';

export const FLYWAY_CONFIG_FILES = ['conf/flyway.conf', 'flyway.conf'] as const;

export interface FlywaySetting {
  value: string;
  file: string;
  line: number;
}

export type FlywayConfig = ReadonlyMap<string, FlywaySetting>;

// Naming settings and the only value stepmigrate reads them with.
const NAMING_DEFAULTS: Readonly<Record<string, string>> = {
  'flyway.sqlMigrationPrefix': 'V',
  'flyway.undoSqlMigrationPrefix': 'U',
  'flyway.repeatableSqlMigrationPrefix': 'R',
  'flyway.baselineMigrationPrefix': 'B',
  'flyway.sqlMigrationSeparator': '__',
  'flyway.sqlMigrationSuffixes': '.sql',
};

/** The settings of every file present, in Flyway's order; later files override earlier ones. */
export function parseFlywayConfig(files: readonly { name: string; text: string }[]): {
  config: FlywayConfig;
  problems: LoaderProblem[];
} {
  const config = new Map<string, FlywaySetting>();
  for (const { name, text } of files) {
    for (const setting of properties(name, text)) config.set(setting.key, setting);
  }
  const problems: LoaderProblem[] = [];
  for (const [key, expected] of Object.entries(NAMING_DEFAULTS)) {
    const setting = config.get(key);
    if (setting && setting.value !== expected) {
      problems.push({
        file: setting.file,
        line: setting.line,
        message: `${key}=${setting.value}: stepmigrate reads Flyway's default file names (${key} = ${expected}); rename the files and remove this setting`,
      });
    }
  }
  return { config, problems };
}

function properties(file: string, text: string): Array<FlywaySetting & { key: string }> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const settings: Array<FlywaySetting & { key: string }> = [];
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    let logical = lines[index]!.replace(/^[ \t\f]+/, '');
    if (logical === '' || logical.startsWith('#') || logical.startsWith('!')) continue;
    while (/(^|[^\\])(\\\\)*\\$/.test(logical) && index + 1 < lines.length) {
      logical = logical.slice(0, -1) + lines[++index]!.replace(/^[ \t\f]+/, '');
    }
    const match = /^((?:[^\\:= \t\f]|\\.)*)[ \t\f]*[:=]?[ \t\f]*(.*)$/s.exec(logical)!;
    settings.push({ key: unescapeProperty(match[1]!), value: unescapeProperty(match[2]!), file, line });
  }
  return settings;
}

function unescapeProperty(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, escaped: string) => {
    if (escaped.length === 5) return String.fromCharCode(Number.parseInt(escaped.slice(1), 16));
    return escaped === 't'
      ? '\t'
      : escaped === 'n'
        ? '\n'
        : escaped === 'r'
          ? '\r'
          : escaped === 'f'
            ? '\f'
            : escaped;
  });
}

/**
 * The directories `flyway.locations` names, relative to the migrations directory ('' for
 * itself); undefined when it is not set (then the whole directory is read). `classpath:`
 * locations live inside a Java application and are refused.
 */
export function flywayLocations(config: FlywayConfig, problems: LoaderProblem[]): string[] | undefined {
  const setting = config.get('flyway.locations');
  if (!setting) return undefined;
  const locations: string[] = [];
  for (const raw of setting.value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')) {
    const report = (message: string) => problems.push({ file: setting.file, line: setting.line, message });
    const [, prefix = 'classpath', rest = raw] = /^(?:([a-z0-9]+):)?(.*)$/i.exec(raw) ?? [];
    if (/^classpath$/i.test(prefix) || !/:/.test(raw)) {
      report(
        `flyway.locations names "${raw}", a location on a Java class path (Flyway's default when there is no "filesystem:" prefix), which stepmigrate cannot read; write filesystem:<directory> with the directory the files are in (e.g. filesystem:src/main/resources/db/migration), relative to the migrations directory`,
      );
      continue;
    }
    if (!/^filesystem$/i.test(prefix)) {
      report(`flyway.locations names "${raw}"; stepmigrate reads filesystem: locations only`);
      continue;
    }
    const path = rest
      .replace(/\\/g, '/')
      .replace(/^\.\/?/, '')
      .replace(/\/+$/, '');
    if (/[*?]/.test(path) || path.startsWith('/') || path.split('/').includes('..')) {
      report(
        `flyway.locations names "${raw}"; stepmigrate reads plain directories inside the migrations directory (no wildcards, no absolute paths, no ".."): pass the directory that holds them as --migrations`,
      );
      continue;
    }
    locations.push(path);
  }
  return locations;
}
