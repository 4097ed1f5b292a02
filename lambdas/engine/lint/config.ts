// Project lint settings from `stepmigrate.json` at the project root:
//   { "lint": { "rules": { "<rule-id>": "error" | "warning" | "off" }, "postgresVersion": 17 } }
// A missing file means the defaults. Anything we do not understand is an InputError naming
// the file, so a typo never silently turns a rule off.
import { type ConfigFile, parseConfigText, readConfigFile } from '../config-file.ts';
import { InputError } from '../errors.ts';
import { canonicalRuleId, isKnownRuleId } from './rules/index.ts';

export { CONFIG_FILE } from '../config-file.ts';

export type RuleSetting = 'error' | 'warning' | 'off';

export interface LintConfig {
  /** By current rule id: an old id (an alias) in the file is stored under the rule's current id. */
  rules: Record<string, RuleSetting>;
  /** Major version of the target server; rules that depend on it use it. Default 17. */
  postgresVersion?: number;
}

const SETTINGS = new Set<string>(['error', 'warning', 'off']);
const LINT_KEYS = new Set(['rules', 'postgresVersion']);

export async function loadLintConfig(projectDir: string): Promise<LintConfig> {
  return lintConfigFrom(await readConfigFile(projectDir));
}

/** Parses the text of stepmigrate.json; every problem is reported in one InputError. */
export function parseLintConfig(text: string, file: string): LintConfig {
  return lintConfigFrom({ file, json: parseConfigText(text, file) });
}

/** The "lint" section of a parsed stepmigrate.json. */
export function lintConfigFrom({ file, json }: ConfigFile): LintConfig {
  const problems: string[] = [];
  const config: LintConfig = { rules: {} };
  const lint = json.lint;
  if (lint !== undefined && !isObject(lint)) problems.push('"lint" must be an object');
  if (isObject(lint)) readLint(lint, config, problems);
  if (problems.length > 0) throw new InputError(`${file}: ${problems.join('; ')}`, { file });
  return config;
}

function readLint(lint: Record<string, unknown>, config: LintConfig, problems: string[]): void {
  for (const key of Object.keys(lint)) {
    if (!LINT_KEYS.has(key))
      problems.push(`unknown key "lint.${key}" (expected "rules" or "postgresVersion")`);
  }
  const version = lint.postgresVersion;
  if (version !== undefined) {
    if (typeof version === 'number' && Number.isInteger(version) && version >= 9 && version <= 99) {
      config.postgresVersion = version;
    } else problems.push('"lint.postgresVersion" must be a major version number such as 16');
  }
  if (lint.rules === undefined) return;
  if (!isObject(lint.rules)) {
    problems.push('"lint.rules" must be an object of rule id → "error" | "warning" | "off"');
    return;
  }
  for (const [rule, setting] of Object.entries(lint.rules)) {
    if (!isKnownRuleId(rule))
      problems.push(`unknown rule id "${rule}" in "lint.rules" (see docs/lint-rules.md)`);
    else if (typeof setting !== 'string' || !SETTINGS.has(setting)) {
      problems.push(`rule "${rule}" is set to ${JSON.stringify(setting)}; use "error", "warning" or "off"`);
    } else config.rules[canonicalRuleId(rule)] = setting as RuleSetting;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
