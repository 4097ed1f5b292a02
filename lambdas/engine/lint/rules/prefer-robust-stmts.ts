// A statement that runs outside a transaction block stays applied when a later one fails, so
// the migration is re-run over a half-applied schema: every statement must survive a second
// run. Inside a block (a transactional section, or BEGIN … COMMIT in a transaction:false one)
// PostgreSQL undoes the whole block on failure, so only CREATE INDEX CONCURRENTLY, which never
// runs in one, still needs a guard there.
import type { AlterTableCmd, Node } from 'libpg-query';
import type { ClassifiedStatement } from '../../sql/change.ts';
import type { LintSection } from '../context.ts';
import type { LintRule, RuleHit } from '../rule.ts';
import { hit } from '../rule.ts';

export const preferRobustStmts: LintRule = {
  id: 'prefer-robust-stmts',
  severity: 'warning',
  parity: 'squawk',
  catches:
    'statements outside a transaction block (a `transaction:false` section) that fail when run again: CREATE/DROP without IF [NOT] EXISTS, ALTER TABLE actions with no guard, a named CREATE INDEX CONCURRENTLY without IF NOT EXISTS',
  instead:
    'IF NOT EXISTS / IF EXISTS, DROP CONSTRAINT IF EXISTS before ADD CONSTRAINT, or a BEGIN … COMMIT around statements that have no guard',
  check(context) {
    return context.sections.flatMap(unguarded);
  },
};

/** What to write instead, and (when it is not the plain case) why the statement cannot be re-run. */
type Verdict = { guard: string; why?: string } | 'robust';

function unguarded(section: LintSection): RuleHit[] {
  const namedConstraints = new Map<string, 'dropped' | 'added'>();
  const hits: RuleHit[] = [];
  section.statements.forEach((statement, index) => {
    const inTransaction = section.inTransaction(index);
    for (const verdict of verdicts(statement.ast, inTransaction, namedConstraints)) {
      if (verdict === 'robust') continue;
      hits.push(
        hit(
          section,
          statement,
          `${verdict.why ?? `This statement runs outside a transaction block, so if the ${section.name} section fails after it, it stays applied, and running the migration again stops here because its object ${verdict.guard.startsWith('DROP') ? 'is already gone' : 'already exists or has already changed'}.`} Write it so a second run is harmless.`,
          verdict.guard,
        ),
      );
    }
  });
  return hits;
}

function verdicts(
  node: ClassifiedStatement['ast'],
  inTransaction: boolean,
  namedConstraints: Map<string, 'dropped' | 'added'>,
): Verdict[] {
  if ('AlterTableStmt' in node && node.AlterTableStmt.objtype === 'OBJECT_TABLE') {
    const actions = (node.AlterTableStmt.cmds ?? []).map((cmd) => alterTableAction(cmd, namedConstraints));
    return inTransaction ? [] : actions;
  }
  if (renamesOrMovesTable(node)) {
    return inTransaction ? [] : [{ guard: NO_GUARD }];
  }
  if ('IndexStmt' in node) {
    const index = node.IndexStmt;
    const needsGuard =
      !index.if_not_exists && index.idxname !== undefined && (index.concurrent === true || !inTransaction);
    return needsGuard
      ? [
          {
            guard: `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${index.concurrent ? 'CONCURRENTLY ' : ''}IF NOT EXISTS`,
          },
        ]
      : [];
  }
  if (inTransaction) return [];
  if ('CreateStmt' in node) {
    const table = node.CreateStmt;
    const tempDroppedAtCommit = table.relation?.relpersistence === 't' && table.oncommit === 'ONCOMMIT_DROP';
    return table.if_not_exists || tempDroppedAtCommit ? [] : [{ guard: 'CREATE TABLE IF NOT EXISTS' }];
  }
  if ('DropStmt' in node && !node.DropStmt.missing_ok) {
    const guard = DROP_GUARDS[node.DropStmt.removeType ?? ''];
    return guard === undefined ? [] : [{ guard }];
  }
  return [];
}

/** ALTER TABLE … RENAME [COLUMN | CONSTRAINT] and ALTER TABLE … SET SCHEMA: table actions with no guard. */
function renamesOrMovesTable(node: ClassifiedStatement['ast']): boolean {
  if ('AlterObjectSchemaStmt' in node) return node.AlterObjectSchemaStmt.objectType === 'OBJECT_TABLE';
  if (!('RenameStmt' in node)) return false;
  const { renameType, relationType } = node.RenameStmt;
  return (
    renameType === 'OBJECT_TABLE' ||
    renameType === 'OBJECT_TABCONSTRAINT' ||
    (renameType === 'OBJECT_COLUMN' && relationType === 'OBJECT_TABLE')
  );
}

const DROP_GUARDS: Partial<Record<string, string>> = {
  OBJECT_TABLE: 'DROP TABLE IF EXISTS',
  OBJECT_INDEX: 'DROP INDEX CONCURRENTLY IF EXISTS',
  OBJECT_TYPE: 'DROP TYPE IF EXISTS',
};

function alterTableAction(node: Node, namedConstraints: Map<string, 'dropped' | 'added'>): Verdict {
  if (!('AlterTableCmd' in node)) return 'robust';
  const cmd: AlterTableCmd = node.AlterTableCmd;
  switch (cmd.subtype) {
    case 'AT_DropConstraint':
      if (cmd.name !== undefined) namedConstraints.set(cmd.name, 'dropped');
      return cmd.missing_ok ? 'robust' : { guard: 'DROP CONSTRAINT IF EXISTS' };
    case 'AT_AddColumn':
      return cmd.missing_ok ? 'robust' : { guard: 'ADD COLUMN IF NOT EXISTS' };
    case 'AT_DropColumn':
      return cmd.missing_ok ? 'robust' : { guard: 'DROP COLUMN IF EXISTS' };
    case 'AT_ValidateConstraint':
      // Validating a constraint this section dropped and re-added is safe to repeat.
      return cmd.name !== undefined && namedConstraints.has(cmd.name) ? 'robust' : { guard: NO_GUARD };
    case 'AT_AddConstraint': {
      const name = cmd.def !== undefined && 'Constraint' in cmd.def ? cmd.def.Constraint.conname : undefined;
      if (name !== undefined && namedConstraints.get(name) === 'dropped') {
        namedConstraints.set(name, 'added');
        return 'robust';
      }
      return {
        guard: `ALTER TABLE … DROP CONSTRAINT IF EXISTS ${name ?? '<name>'}; before the ADD CONSTRAINT`,
      };
    }
    default:
      return { guard: NO_GUARD };
  }
}

const NO_GUARD = 'BEGIN; … COMMIT; around it (this action has no IF [NOT] EXISTS)';
