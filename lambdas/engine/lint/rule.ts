// The shape of a lint rule. A rule looks at one migration (with what earlier migrations left
// behind) and returns hits; severity, configuration and `-- lint:allow` are applied by the
// caller, so a rule only decides what is dangerous and says why and what to write instead.
import type { Change, ClassifiedStatement } from '../sql/change.ts';
import type { LintContext, LintSection } from './context.ts';

export type RuleSeverity = 'error' | 'warning';

/**
 * How a rule stands against Squawk's rule of the same id:
 * - `squawk`: the id is Squawk's and the rule reports what Squawk's reports (the corpus test
 *   compares them; deliberate differences are listed in test/fixtures/lint-corpus).
 * - `satisfied-by-design`: a Squawk rule that stepmigrate makes unnecessary (it never reports).
 * - `stepmigrate`: ours only; Squawk has no such rule.
 */
export type SquawkParity = 'squawk' | 'satisfied-by-design' | 'stepmigrate';

export interface LintRule {
  /** Squawk's id, spelled as Squawk spells it, for rules Squawk also has. */
  id: string;
  /** Older ids of this rule, still accepted in `-- lint:allow` and stepmigrate.json. */
  aliases?: readonly string[];
  /** Default severity; stepmigrate.json can change it or turn the rule off ('off': opt-in). */
  severity: RuleSeverity | 'off';
  parity: SquawkParity;
  /** One line for docs and `--help`: what the rule catches. */
  catches: string;
  /** One line for docs: what to write instead. */
  instead: string;
  check(context: LintContext): RuleHit[];
}

export interface RuleHit {
  section: LintSection;
  /** Where to point; the section's first line when the hit is about the migration as a whole. */
  statement?: ClassifiedStatement;
  /** Why it is dangerous and what to do instead, naming the object. */
  message: string;
  /** The SQL (or step) to write instead, in one line. */
  fix?: string;
  /** Byte offset in the section of the exact clause; the statement's start when absent. */
  location?: number;
}

/** Calls `visit` for every change of every statement in the up and down sections. */
export function eachChange(
  context: LintContext,
  visit: (
    change: Change,
    statement: ClassifiedStatement,
    section: LintSection,
    index: number,
  ) => RuleHit | undefined,
): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const section of context.sections) {
    section.statements.forEach((statement, index) => {
      for (const change of statement.changes) {
        const hit = visit(change, statement, section, index);
        if (hit === undefined) continue;
        if (hit.location === undefined && change.location !== undefined) hit.location = change.location;
        hits.push(hit);
      }
    });
  }
  return hits;
}

/** Builds a hit for `statement` in `section`. */
export function hit(
  section: LintSection,
  statement: ClassifiedStatement | undefined,
  message: string,
  fix?: string,
  location?: number,
): RuleHit {
  const result: RuleHit = { section, message };
  if (statement !== undefined) result.statement = statement;
  if (fix !== undefined) result.fix = fix;
  if (location !== undefined) result.location = location;
  return result;
}
