// Lints migrations: runs every rule on every migration, applies the project's rule settings,
// and honours `-- lint:allow <rule> <reason>` by keeping the finding at severity 'info' with
// the reason, so the audit log shows what was waived and why.
//
// Synchronous: the SQL parser must be loaded first (`await loadSqlParser()`).
import type { Finding, Migration } from '../model.ts';
import { analyzeMigration, type ClassifyOptions, DEFAULT_POSTGRES_VERSION } from '../sql/classify.ts';
import type { LintConfig } from './config.ts';
import { buildContext } from './context.ts';
import { NotNullChecks } from './not-null-checks.ts';
import type { RuleHit } from './rule.ts';
import { INVALID_LINT_ALLOW, RULE_IDS, RULES } from './rules/index.ts';

export type { LintConfig, RuleSetting } from './config.ts';
export { CONFIG_FILE, loadLintConfig, parseLintConfig } from './config.ts';
export { RULE_IDS, RULES } from './rules/index.ts';

export interface LintOptions {
  config?: LintConfig;
  allowIrreversible?: boolean;
  /**
   * Migrations before `migrations` (already applied), in order. They are not linted; they are
   * read so that, for example, a CHECK validated in an earlier migration counts for SET NOT NULL.
   */
  earlier?: readonly Migration[];
}

export function lintMigrations(migrations: readonly Migration[], options: LintOptions = {}): Finding[] {
  const settings = options.config?.rules ?? {};
  const postgresVersion = options.config?.postgresVersion ?? DEFAULT_POSTGRES_VERSION;
  const classify: ClassifyOptions = { postgresVersion };
  const checks = new NotNullChecks();
  for (const migration of options.earlier ?? []) {
    for (const statement of analyzeMigration(migration, classify).statements.up) checks.apply(statement);
  }
  const findings: Finding[] = [];
  for (const migration of migrations) {
    const analysis = analyzeMigration(migration, classify);
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
    .filter((allow) => !RULE_IDS.includes(allow.rule))
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
  const reasons = new Map(migration.lintAllows.map((allow) => [allow.rule, allow.reason]));
  return findings.map((finding) => {
    const reason = reasons.get(finding.rule);
    return reason === undefined ? finding : { ...finding, severity: 'info', allowedBecause: reason };
  });
}

function byPosition(a: Finding, b: Finding): number {
  return (
    (a.file ?? '').localeCompare(b.file ?? '') ||
    (a.line ?? 0) - (b.line ?? 0) ||
    (a.column ?? 0) - (b.column ?? 0)
  );
}
