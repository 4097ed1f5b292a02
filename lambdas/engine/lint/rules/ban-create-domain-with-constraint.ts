import type { LintRule } from '../rule.ts';
import { eachStatement } from './statement-rule.ts';

export const banCreateDomainWithConstraint: LintRule = {
  id: 'ban-create-domain-with-constraint',
  // Harmless today, a trap for the next change: a warning, like the other future-proofing rules.
  severity: 'warning',
  parity: 'squawk',
  catches: 'CREATE DOMAIN with a constraint (CHECK, NOT NULL)',
  instead: 'a plain domain (or the base type) with a CHECK constraint on each table column',
  check(context) {
    return eachStatement(context, ({ ast }) => {
      if (!('CreateDomainStmt' in ast)) return undefined;
      const constraints = (ast.CreateDomainStmt.constraints ?? []).filter(
        (node) => 'Constraint' in node && node.Constraint.contype !== 'CONSTR_DEFAULT',
      );
      if (constraints.length === 0) return undefined;
      return [
        'A constraint on a domain is checked against every column of that type in every table: changing it later (ALTER DOMAIN … ADD CONSTRAINT) scans all of them under locks, and PostgreSQL cannot add it NOT VALID per table. Put the CHECK on the table columns instead, where it can be added NOT VALID and validated without blocking.',
        'CREATE DOMAIN <name> AS <type>;  -- and ALTER TABLE … ADD CONSTRAINT … CHECK (…) NOT VALID per column',
      ];
    });
  },
};
