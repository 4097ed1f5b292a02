import type { LintRule } from '../rule.ts';
import { eachStatement } from './statement-rule.ts';

export const banAlterDomainWithAddConstraint: LintRule = {
  id: 'ban-alter-domain-with-add-constraint',
  severity: 'error',
  parity: 'squawk',
  catches: 'ALTER DOMAIN … ADD CONSTRAINT',
  instead: 'a CHECK constraint on each table column, added NOT VALID and validated later',
  check(context) {
    return eachStatement(context, ({ ast }) => {
      if (!('AlterDomainStmt' in ast) || ast.AlterDomainStmt.subtype !== 'C') return undefined;
      return [
        'ALTER DOMAIN … ADD CONSTRAINT checks every column of the domain in every table while holding locks on all of them (with NOT VALID, the later VALIDATE CONSTRAINT does), and every later change to the rule means another domain-wide scan. Add the CHECK to each table column instead, NOT VALID first and validated in a later migration.',
        'ALTER TABLE <table> ADD CONSTRAINT <name> CHECK (…) NOT VALID;  -- per column of the domain',
      ];
    });
  },
};
