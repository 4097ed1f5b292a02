// Lints migrations: runs every rule on every migration, applies the project's rule settings,
// and honours `-- lint:allow <rule> <reason>` by keeping the finding at severity 'info' with
// the reason, so the audit log shows what was waived and why.
//
// Synchronous: the SQL parser must be loaded first (`await loadSqlParser()`).
import { InputError } from '../errors.ts';
import type { Finding, Migration } from '../model.ts';
import {
  analyzeMigration,
  type ClassifyOptions,
  DEFAULT_POSTGRES_VERSION,
  type MigrationAnalysis,
} from '../sql/classify.ts';
import { syntaxErrorMessage } from '../sql/parse.ts';
import type { LintConfig, RuleSetting } from './config.ts';
import { buildContext } from './context.ts';
import { NotNullChecks } from './not-null-checks.ts';
import type { RuleHit } from './rule.ts';
import { canonicalRuleId, INVALID_LINT_ALLOW, isKnownRuleId, RULES, SYNTAX_ERROR } from './rules/index.ts';

export type { LintConfig, RuleSetting } from './config.ts';
export { CONFIG_FILE, loadLintConfig, parseLintConfig } from './config.ts';
export { canonicalRuleId, RULE_ALIASES, RULE_IDS, RULES, SYNTAX_ERROR } from './rules/index.ts';

export interface LintOptions {
  config?: LintConfig;
  allowIrreversible?: boolean;
  /**
   * Migrations before `migrations` (already applied), in order. They are not linted; they are
   * read so that, for example, a CHECK validated in an earlier migration counts for SET NOT NULL.
   */
  earlier?: readonly Migration[];
}

/**
 * Lints every migration. A migration PostgreSQL cannot parse gives one `syntax-error` finding
 * (error) and the others are still linted, so one bad file never hides the rest.
 */
export function lintMigrations(migrations: readonly Migration[], options: LintOptions = {}): Finding[] {
  const settings = canonicalSettings(options.config?.rules ?? {});
  const postgresVersion = options.config?.postgresVersion ?? DEFAULT_POSTGRES_VERSION;
  const classify: ClassifyOptions = { postgresVersion };
  const checks = new NotNullChecks();
  const analyze = (migration: Migration): MigrationAnalysis | Finding => {
    try {
      return analyzeMigration(migration, classify);
    } catch (error) {
      const finding = syntaxFinding(error, migration);
      if (finding === undefined) throw error;
      return finding;
    }
  };
  for (const migration of options.earlier ?? []) {
    const analysis = analyze(migration);
    if ('statements' in analysis) for (const statement of analysis.statements.up) checks.apply(statement);
  }
  const findings: Finding[] = [];
  for (const migration of migrations) {
    const analysis = analyze(migration);
    if (!('statements' in analysis)) {
      findings.push(analysis);
      continue;
    }
    const context = buildContext(migration, analysis, checks, {
      postgresVersion,
      allowIrreversible: options.allowIrreversible ?? false,
    });
    const own: Finding[] = [];
    for (const rule of RULES) {
      const setting = settings[rule.id] ?? rule.severity;
      if (setting === 'off') continue;
      for (const ruleHit of rule.check(context)) own.push(toFinding(migration, rule.id, setting, ruleHit));
    }
    if (settings[INVALID_LINT_ALLOW] !== 'off')
      own.push(...invalidAllows(migration, settings[INVALID_LINT_ALLOW]));
    findings.push(...applyAllows(migration, own).sort(byPosition));
    for (const statement of analysis.statements.up) checks.apply(statement);
  }
  return findings;
}

/** Settings keyed by current rule id, whatever id (or old alias) the caller used. */
function canonicalSettings(rules: Record<string, RuleSetting>): Record<string, RuleSetting> {
  const settings: Record<string, RuleSetting> = {};
  for (const [id, setting] of Object.entries(rules)) settings[canonicalRuleId(id)] = setting;
  return settings;
}

function syntaxFinding(error: unknown, migration: Migration): Finding | undefined {
  const message = syntaxErrorMessage(error);
  if (message === undefined || !(error instanceof InputError)) return undefined;
  return {
    rule: SYNTAX_ERROR,
    severity: 'error',
    message: `PostgreSQL cannot parse this statement: ${message}`,
    migration: migration.version,
    file: error.file ?? migration.file,
    line: error.line ?? 1,
    column: error.column ?? 1,
  };
}

function toFinding(
  migration: Migration,
  rule: string,
  severity: 'error' | 'warning',
  ruleHit: RuleHit,
): Finding {
  const { section, statement } = ruleHit;
  const at =
    ruleHit.location !== undefined
      ? section.positionOf(ruleHit.location)
      : { line: statement?.line ?? section.startLine, column: statement?.column ?? 1 };
  const finding: Finding = {
    rule,
    severity,
    message: ruleHit.message,
    migration: migration.version,
    file: section.file,
    line: at.line,
    column: at.column,
  };
  if (ruleHit.fix !== undefined) finding.fix = ruleHit.fix;
  return finding;
}

function invalidAllows(migration: Migration, severity: 'error' | 'warning' | undefined): Finding[] {
  return migration.lintAllows
    .filter((allow) => !isKnownRuleId(allow.rule))
    .map((allow) => ({
      rule: INVALID_LINT_ALLOW,
      severity: severity ?? 'warning',
      message: `"-- lint:allow ${allow.rule}" names no lint rule, so it silences nothing. Check the spelling against docs/lint-rules.md.`,
      migration: migration.version,
      file: migration.file,
      line: allow.line,
      column: 1,
      fix: '-- lint:allow <rule-id> <reason>  (rule ids: docs/lint-rules.md, `stepmigrate lint --list-rules`)',
    }));
}

function applyAllows(migration: Migration, findings: Finding[]): Finding[] {
  const reasons = new Map(migration.lintAllows.map((allow) => [canonicalRuleId(allow.rule), allow.reason]));
  return findings.map((finding) => {
    const reason = reasons.get(finding.rule);
    return reason === undefined ? finding : { ...finding, severity: 'info', allowedBecause: reason };
  });
}

function byPosition(a: Finding, b: Finding): number {
  // Plain code-unit order: localeCompare is needlessly slow for thousands of findings.
  const fileA = a.file ?? '';
  const fileB = b.file ?? '';
  if (fileA !== fileB) return fileA < fileB ? -1 : 1;
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}
