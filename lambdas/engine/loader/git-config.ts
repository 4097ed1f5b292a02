// The git-config file syntax that `sqitch.conf` is written in (Sqitch reads it with
// Config::GitLike): `[section]`, `[section "subsection"]` and the older `[section.subsection]`
// headers, `key = value` lines, `#`/`;` comments, double quotes, backslash escapes and
// continuation lines. Section and key names are case-insensitive (kept lowercased), a quoted
// subsection keeps its case; the last of several values of a key wins, as `git config --get`.
import type { LoaderProblem } from './problems.ts';

export interface ConfigValue {
  value: string;
  line: number;
}

export interface GitConfig {
  /** Every value by its full key, e.g. `engine.pg.top_dir`, `deploy.variables.schema`. */
  values: ReadonlyMap<string, ConfigValue>;
  problems: LoaderProblem[];
}

const headerPattern = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]\s*(?:[#;].*)?$/;
const keyPattern = /^([A-Za-z][A-Za-z0-9_-]*)\s*(?:=(.*))?$/;

export function parseGitConfig(text: string, file: string): GitConfig {
  const values = new Map<string, ConfigValue>();
  const problems: LoaderProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  let section: string | undefined;
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    let line = lines[index]!.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    if (trimmed.startsWith('[')) {
      const header = headerPattern.exec(trimmed);
      if (!header) {
        problems.push({
          file,
          line: lineNumber,
          message: `cannot read section header "${trimmed}"; write [section] or [section "name"]`,
        });
        section = undefined;
        continue;
      }
      const [, name, sub] = header;
      section =
        sub === undefined ? name!.toLowerCase() : `${name!.toLowerCase()}.${sub.replace(/\\(.)/g, '$1')}`;
      continue;
    }
    // A value may go on over several lines, each ending in a backslash.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && index + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++index]!.replace(/\r$/, '');
    }
    const setting = keyPattern.exec(line.trim());
    if (!setting || section === undefined) {
      problems.push({
        file,
        line: lineNumber,
        message:
          section === undefined
            ? `"${trimmed}" is outside any [section]`
            : `cannot read "${trimmed}"; write key = value`,
      });
      continue;
    }
    const [, key, raw] = setting;
    const value = raw === undefined ? 'true' : unquote(raw);
    if (value === null) {
      problems.push({ file, line: lineNumber, message: `the value of ${key} has an unclosed double quote` });
      continue;
    }
    values.set(`${section}.${key!.toLowerCase()}`, { value, line: lineNumber });
  }
  return { values, problems };
}

/** The value as git reads it: unquoted comments dropped, quotes removed, escapes applied, outer blanks trimmed. */
function unquote(raw: string): string | null {
  let out = '';
  let quoted = false;
  let pendingSpace = '';
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i]!;
    if (char === '\\') {
      const next = raw[++i];
      const escaped = next === 'n' ? '\n' : next === 't' ? '\t' : next === 'b' ? '\b' : (next ?? '');
      out += pendingSpace + escaped;
      pendingSpace = '';
    } else if (char === '"') {
      quoted = !quoted;
      out += pendingSpace;
      pendingSpace = '';
    } else if (!quoted && (char === '#' || char === ';')) {
      break;
    } else if (!quoted && (char === ' ' || char === '\t')) {
      if (out !== '') pendingSpace += char;
    } else {
      out += pendingSpace + char;
      pendingSpace = '';
    }
  }
  return quoted ? null : out;
}

/** The `key = value` pairs of one section (`deploy.variables`), keys lowercased. */
export function configSection(config: GitConfig, section: string): Record<string, string> {
  const prefix = `${section}.`;
  const entries: Record<string, string> = {};
  for (const [key, { value }] of config.values) {
    const rest = key.slice(prefix.length);
    if (key.startsWith(prefix) && !rest.includes('.')) entries[rest] = value;
  }
  return entries;
}
