// What a statement does to the database, as far as a migration runner cares: which objects
// it changes, which table locks it takes, whether it rewrites, scans or destroys table data,
// and whether PostgreSQL lets it run inside a transaction block.
//
// Names are "schema.name". An unqualified name is resolved to `public.` — the default
// search_path; a migration that relies on another search_path should qualify its names.
import type { SqlStatement } from './parse.ts';

/** PostgreSQL's table-level lock modes, weakest first (docs: "Explicit Locking", table 13.2). */
export const LOCK_MODES = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
] as const;
export type LockMode = (typeof LOCK_MODES)[number];

/** True when `mode` blocks ordinary INSERT/UPDATE/DELETE (SHARE and stronger). */
export function blocksWrites(mode: LockMode): boolean {
  return LOCK_MODES.indexOf(mode) >= LOCK_MODES.indexOf('SHARE');
}

export function strongerLock(a: LockMode, b: LockMode): LockMode {
  return LOCK_MODES.indexOf(a) >= LOCK_MODES.indexOf(b) ? a : b;
}

export interface TableLock {
  /** "schema.table" (or an index/sequence/view the lock is taken on). */
  table: string;
  mode: LockMode;
}

export type ChangeKind =
  | 'create_table'
  | 'drop_table'
  | 'rename_table'
  | 'move_table'
  | 'alter_table'
  | 'truncate'
  | 'add_column'
  | 'drop_column'
  | 'rename_column'
  | 'alter_column_type'
  | 'set_not_null'
  | 'drop_not_null'
  | 'set_default'
  | 'drop_default'
  | 'add_constraint'
  | 'drop_constraint'
  | 'validate_constraint'
  | 'rename_constraint'
  | 'create_index'
  | 'drop_index'
  | 'rename_index'
  | 'reindex'
  | 'insert'
  | 'update'
  | 'delete'
  | 'merge'
  | 'copy'
  | 'select'
  | 'create_function'
  | 'drop_function'
  | 'create_view'
  | 'drop_view'
  | 'create_materialized_view'
  | 'drop_materialized_view'
  | 'refresh_materialized_view'
  | 'create_type'
  | 'alter_type'
  | 'drop_type'
  | 'create_sequence'
  | 'alter_sequence'
  | 'drop_sequence'
  | 'create_schema'
  | 'drop_schema'
  | 'create_extension'
  | 'drop_extension'
  | 'create_trigger'
  | 'drop_trigger'
  | 'create_database'
  | 'drop_database'
  | 'drop_owned'
  | 'transaction_control'
  | 'set'
  | 'lock'
  | 'vacuum'
  | 'analyze'
  | 'cluster'
  | 'alter_system'
  | 'comment'
  | 'grant'
  | 'do_block'
  | 'other';

export type ConstraintType = 'check' | 'foreign_key' | 'unique' | 'primary_key' | 'exclusion' | 'not_null';

export interface ConstraintInfo {
  type: ConstraintType;
  name?: string;
  /** Added with NOT VALID: existing rows are not checked now. */
  notValid: boolean;
  /** UNIQUE / PRIMARY KEY ... USING INDEX: adopts an existing index instead of building one. */
  usingIndex: boolean;
  /** For foreign keys: the referenced table. */
  references?: string;
  /** For CHECK (col IS NOT NULL): the column it proves non-null. */
  notNullColumn?: string;
  /** Byte offset of the constraint in the section's SQL. */
  location?: number;
}

export interface ColumnInfo {
  name: string;
  /** The base type name as PostgreSQL resolves it: int4, int8, varchar, bpchar, timestamp, text, serial… */
  type: string;
  /** Type modifiers, e.g. [20] for varchar(20). */
  typmods: number[];
  notNull: boolean;
  hasDefault: boolean;
  /** The default needs evaluating per row (random(), nextval(), gen_random_uuid(), a user function…). */
  volatileDefault: boolean;
  /** serial, bigserial or smallserial. */
  serial: boolean;
  identity: boolean;
  generatedStored: boolean;
  primaryKey: boolean;
  unique: boolean;
  references?: string;
  /** A CHECK on the column itself. */
  check: boolean;
  /** Byte offset of the column definition in the section's SQL. */
  location?: number;
}

/** One change a statement makes. An ALTER TABLE with several actions has several. */
export interface Change {
  kind: ChangeKind;
  /** "schema.name" of the object the change is about (table, index, view, function, type…). */
  object?: string;
  /** The table the change applies to, for column, constraint and index changes. */
  table?: string;
  column?: ColumnInfo;
  /** For create_table: its columns. */
  columns?: ColumnInfo[];
  /** For create_table: its table-level constraints. */
  constraints?: ConstraintInfo[];
  /** The column name for changes that name a column without defining it (drop, rename, set not null…). */
  columnName?: string;
  constraint?: ConstraintInfo;
  /** For validate_constraint, drop_constraint and rename_constraint: the constraint's name. */
  constraintName?: string;
  /** The name an object is renamed to (unqualified, as written). */
  newName?: string;
  concurrently?: boolean;
  cascade?: boolean;
  /** IF EXISTS / IF NOT EXISTS was given. */
  idempotent?: boolean;
  /** For create_index: the index is UNIQUE. */
  unique?: boolean;
  /** For update/delete: there is no WHERE clause. */
  allRows?: boolean;
  /** For insert: rows come from a query, not a VALUES list. */
  fromQuery?: boolean;
  /** For transaction_control: BEGIN, COMMIT, ROLLBACK, SAVEPOINT… */
  transactionCommand?: string;
  /** Byte offset in the section's SQL of the clause that makes the change, when the parser gives one. */
  location?: number;
}

export interface ClassifiedStatement extends SqlStatement {
  changes: Change[];
  /** The strongest lock the statement takes on each table. */
  locks: TableLock[];
  /** Tables whose every row is rewritten into a new file (ALTER COLUMN TYPE, VACUUM FULL…). */
  rewrites: string[];
  /** Tables read in full while the statement holds its lock (index build, constraint validation…). */
  scans: string[];
  /** Tables whose row values the statement can delete or change. */
  destroys: string[];
  /**
   * Set when the statement can destroy data it does not name, so no table list can back it
   * up: DROP SCHEMA … CASCADE, DROP OWNED, DROP TYPE … CASCADE, TRUNCATE … CASCADE, DROP DATABASE.
   */
  destroysUnnamed?: string;
  /** false when PostgreSQL refuses to run it inside a transaction block. */
  transactional: boolean;
  /** The statement is schema (DDL) rather than data (DML) or session control. */
  ddl: boolean;
}

export type SectionName = 'up' | 'down' | 'verify';
