// A down section must remove what its up section created; otherwise Rollback leaves objects
// behind and its schema-fingerprint check fails (RollbackFailedError), or the next apply of
// the same migration stops on "already exists".
import type { Change, ClassifiedStatement } from '../../sql/change.ts';
import { schemaOf } from '../../sql/names.ts';
import type { LintContext } from '../context.ts';
import type { LintRule, RuleHit } from '../rule.ts';
import { hit } from '../rule.ts';

interface Created {
  what: string;
  name: string;
  statement: ClassifiedStatement;
  /** Where in the up section the object is created. */
  location?: number;
  /** The down statement that would undo it. */
  undo: string;
  undoneBy: (change: Change) => boolean;
}

const SIMPLE_CREATES: Partial<Record<Change['kind'], [string, Change['kind'], string]>> = {
  create_type: ['type', 'drop_type', 'DROP TYPE IF EXISTS'],
  create_view: ['view', 'drop_view', 'DROP VIEW IF EXISTS'],
  create_materialized_view: [
    'materialized view',
    'drop_materialized_view',
    'DROP MATERIALIZED VIEW IF EXISTS',
  ],
  create_function: ['function', 'drop_function', 'DROP FUNCTION IF EXISTS'],
  create_sequence: ['sequence', 'drop_sequence', 'DROP SEQUENCE IF EXISTS'],
};

export const downDoesNotUndo: LintRule = {
  id: 'down-does-not-undo',
  severity: 'error',
  parity: 'stepmigrate',
  catches:
    'an up section that creates a table, column, index, constraint, type, view, function, sequence, trigger or schema that the down section does not drop',
  instead: 'drop every object up creates in down, in reverse order',
  check(context) {
    const down = context.down;
    if (down === undefined || context.migration.irreversible) return [];
    const downChanges = down.statements.flatMap((s) => s.changes);
    return createdObjects(context)
      .filter(
        (created) =>
          !downChanges.some(
            (change) =>
              created.undoneBy(change) || (created.what !== 'schema' && dropsSchemaOf(change, created.name)),
          ),
      )
      .map(
        (created): RuleHit =>
          hit(
            context.up,
            created.statement,
            `up creates ${created.what} ${created.name} but down never drops it: a rollback leaves it behind, so the schema no longer matches the state before the run and applying the migration again fails on "already exists". Add the drop to the down section.`,
            created.undo,
            created.location,
          ),
      );
  },
};

function dropsSchemaOf(change: Change, name: string): boolean {
  return change.kind === 'drop_schema' && change.object === schemaOf(name);
}

function createdObjects(context: LintContext): Created[] {
  const created: Created[] = [];
  const newTables = context.createdByUp.tables;
  for (const statement of context.up.statements) {
    for (const change of statement.changes) {
      const item = createdBy(change, statement, newTables);
      if (item === undefined) continue;
      if (change.location !== undefined) item.location = change.location;
      created.push(item);
    }
  }
  return created;
}

function createdBy(
  change: Change,
  statement: ClassifiedStatement,
  newTables: Set<string>,
): Created | undefined {
  const object = change.object ?? '';
  const table = change.table ?? '';
  // Columns, constraints, indexes and triggers of a table up creates go with its DROP TABLE.
  if (change.kind !== 'create_table' && newTables.has(table)) return undefined;
  const dropsTable = (c: Change) => c.kind === 'drop_table' && c.table === table;
  const replaces = (c: Change) => c.kind === change.kind && c.object === object;
  switch (change.kind) {
    case 'create_table':
      return {
        what: 'table',
        name: object,
        statement,
        undo: `DROP TABLE IF EXISTS ${object};`,
        undoneBy: dropsTable,
      };
    case 'create_schema':
      return {
        what: 'schema',
        name: object,
        statement,
        undo: `DROP SCHEMA IF EXISTS ${object};`,
        undoneBy: (c) => c.kind === 'drop_schema' && c.object === object,
      };
    case 'add_column':
      return {
        what: 'column',
        name: `${table}.${change.columnName}`,
        statement,
        undo: `ALTER TABLE ${table} DROP COLUMN IF EXISTS ${change.columnName};`,
        undoneBy: (c) =>
          dropsTable(c) ||
          (c.kind === 'drop_column' && c.table === table && c.columnName === change.columnName),
      };
    case 'add_constraint': {
      const name = change.constraint?.name;
      if (name === undefined) return undefined;
      return {
        what: 'constraint',
        name: `${table}.${name}`,
        statement,
        undo: `ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${name};`,
        undoneBy: (c) =>
          dropsTable(c) || (c.kind === 'drop_constraint' && c.table === table && c.constraintName === name),
      };
    }
    case 'create_index':
      if (change.object === undefined) return undefined;
      return {
        what: 'index',
        name: object,
        statement,
        undo: `DROP INDEX CONCURRENTLY IF EXISTS ${object};`,
        undoneBy: (c) => dropsTable(c) || (c.kind === 'drop_index' && c.object === object),
      };
    case 'create_trigger':
      return {
        what: 'trigger',
        name: `${object} on ${table}`,
        statement,
        undo: `DROP TRIGGER IF EXISTS ${object} ON ${table};`,
        undoneBy: (c) =>
          dropsTable(c) || (c.kind === 'drop_trigger' && c.table === table && c.object === object),
      };
    default: {
      const simple = SIMPLE_CREATES[change.kind];
      if (simple === undefined || change.object === undefined) return undefined;
      const [what, dropKind, drop] = simple;
      const undoneBy = (c: Change) =>
        (c.kind === dropKind && c.object === object) || (change.idempotent === true && replaces(c));
      return { what, name: object, statement, undo: `${drop} ${object};`, undoneBy };
    }
  }
}
