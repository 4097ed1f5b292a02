// Flyway's placeholders, replaced the way Flyway replaces them: `${name}` anywhere in a
// migration (strings and comments included), names case-insensitive, values from
// `flyway.placeholders.<name>`; an unknown placeholder is an error, as in Flyway ("No value
// provided for placeholder"). `flyway.placeholderReplacement=false` turns it off, and
// `flyway.placeholderPrefix`/`Suffix` change `${`/`}`.
// Flyway's own placeholders:
// - `${flyway:defaultSchema}`: flyway.defaultSchema, else the first of flyway.schemas;
// - `${flyway:user}`: flyway.user; `${flyway:database}`: the database of flyway.url;
// - `${flyway:table}`: flyway.table (default flyway_schema_history);
// - `${flyway:filename}`: the script's file name; `${flyway:workingDirectory}`: the migrations
//   directory; `${flyway:environment}`: flyway.environment (default "default");
// - `${flyway:timestamp}`: when the script was read, as 'yyyy-MM-dd HH:mm:ss' (UTC).
// Flyway takes the first three from its connection when they are not configured; stepmigrate
// reads migrations before it connects (and the deployed workflow reads them in another
// process), so there they must be configured, and a missing one is refused with that fix.
import type { FlywayConfig } from './flyway-config.ts';
import type { LoaderProblem } from './problems.ts';

export interface Placeholders {
  enabled: boolean;
  prefix: string;
  suffix: string;
  /** Lowercased names → values (user-defined and built-in that are known). */
  values: ReadonlyMap<string, string>;
  /** Built-ins that need the connection, with the setting that would give them. */
  unknownBuiltIns: ReadonlyMap<string, string>;
  workingDirectory: string;
  now: Date;
  /** Whether any flyway.conf setting was read (else the conf is probably elsewhere). */
  configured: boolean;
}

export function flywayPlaceholders(config: FlywayConfig, workingDirectory: string, now: Date): Placeholders {
  const get = (key: string) => config.get(key)?.value;
  const values = new Map<string, string>();
  const unknownBuiltIns = new Map<string, string>();
  for (const [key, setting] of config) {
    const name = /^flyway\.placeholders\.(.+)$/.exec(key)?.[1];
    if (name !== undefined) values.set(name.toLowerCase(), setting.value);
  }
  const builtIn = (name: string, value: string | undefined, fix: string) => {
    if (value !== undefined && value !== '') values.set(`flyway:${name.toLowerCase()}`, value);
    else unknownBuiltIns.set(`flyway:${name.toLowerCase()}`, fix);
  };
  const schemas = get('flyway.schemas')?.split(',')[0]?.trim();
  builtIn(
    'defaultSchema',
    get('flyway.defaultSchema') ?? schemas,
    'set flyway.defaultSchema (e.g. flyway.defaultSchema=public) in flyway.conf',
  );
  builtIn('user', get('flyway.user'), 'set flyway.user in flyway.conf to the user the migrations run as');
  const database = /^jdbc:postgresql:(?:\/\/[^/]*\/)?([^?;/]+)/.exec(get('flyway.url') ?? '')?.[1];
  builtIn('database', database, 'set flyway.url in flyway.conf (jdbc:postgresql://<host>/<database>)');
  values.set('flyway:table', get('flyway.table') ?? 'flyway_schema_history');
  values.set('flyway:environment', get('flyway.environment') ?? 'default');
  values.set('flyway:workingdirectory', workingDirectory);
  return {
    enabled: get('flyway.placeholderReplacement')?.toLowerCase() !== 'false',
    prefix: get('flyway.placeholderPrefix') ?? '${',
    suffix: get('flyway.placeholderSuffix') ?? '}',
    values,
    unknownBuiltIns,
    workingDirectory,
    now,
    configured: config.size > 0,
  };
}

/** The SQL with every placeholder replaced; problems name the file and line of each unknown one. */
export function replacePlaceholders(
  file: string,
  sql: string,
  placeholders: Placeholders,
): { sql: string; problems: LoaderProblem[]; used: string[] } {
  const problems: LoaderProblem[] = [];
  const used: string[] = [];
  if (!placeholders.enabled) return { sql, problems, used };
  const { prefix, suffix } = placeholders;
  let out = '';
  let from = 0;
  for (;;) {
    const start = sql.indexOf(prefix, from);
    const end = start === -1 ? -1 : sql.indexOf(suffix, start + prefix.length);
    if (start === -1 || end === -1) break;
    const name = sql.slice(start + prefix.length, end);
    // Flyway's placeholder names have no blanks or line breaks; anything else is left as written.
    if (name === '' || /[\s]/.test(name)) {
      out += sql.slice(from, start + prefix.length);
      from = start + prefix.length;
      continue;
    }
    const key = name.toLowerCase();
    const value = resolve(key, file, placeholders);
    if (value === undefined) {
      const line = sql.slice(0, start).split('\n').length;
      const fix = placeholders.unknownBuiltIns.get(key);
      problems.push({
        file,
        line,
        message: fix
          ? `${prefix}${name}${suffix} is a value Flyway takes from its connection, which stepmigrate does not have while it reads migrations; ${fix}`
          : `no value for placeholder ${prefix}${name}${suffix} (Flyway refuses it too); set flyway.placeholders.${name}=<value> in flyway.conf${placeholders.configured ? '' : ' (stepmigrate reads flyway.conf and conf/flyway.conf in the --migrations directory: pass the directory that holds flyway.conf, and set flyway.locations there)'}`,
      });
      out += sql.slice(from, end + suffix.length);
    } else {
      if (!key.startsWith('flyway:')) used.push(key);
      out += sql.slice(from, start) + value;
    }
    from = end + suffix.length;
  }
  return { sql: out + sql.slice(from), problems, used };
}

function resolve(key: string, file: string, placeholders: Placeholders): string | undefined {
  if (key === 'flyway:filename') return file.slice(file.lastIndexOf('/') + 1);
  if (key === 'flyway:timestamp') return placeholders.now.toISOString().slice(0, 19).replace('T', ' ');
  return placeholders.values.get(key);
}
