// Shared by rules that judge one statement at a time from its parse tree (the rules that came
// with Squawk parity): `describe` returns [message, fix] for a statement that breaks the rule.
import type { ClassifiedStatement } from '../../sql/change.ts';
import type { LintContext, LintSection } from '../context.ts';
import { hit, type RuleHit } from '../rule.ts';

export function eachStatement(
  context: LintContext,
  describe: (
    statement: ClassifiedStatement,
    section: LintSection,
    index: number,
  ) => [message: string, fix: string] | undefined,
): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const section of context.sections) {
    section.statements.forEach((statement, index) => {
      const found = describe(statement, section, index);
      if (found !== undefined) hits.push(hit(section, statement, found[0], found[1]));
    });
  }
  return hits;
}
