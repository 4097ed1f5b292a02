// The manifest: what a backup holds and everything needed to put it back, written as
// `manifest.json` next to the table objects of one execution.

import type { BackupStore } from '../../ports.ts';
import type { DatabaseSnapshotRecord } from '../database-snapshot.ts';
import { BackupError } from '../errors.ts';
import type { ChunkRange } from './chunk-ranges.ts';
import { readAll } from './stream-utils.ts';

/**
 * 2: a partitioned table's rows are in its leaf partitions' objects (each row once), and
 * tables record owner, triggers, comments, policies and the ATTACH of a partition.
 * 1: a partitioned table's object held every partition's rows. Both are read.
 */
export const manifestFormatVersion = 2;
/** 3: as 2, and a big table may be backed up in chunks (`chunks`), several objects read in order. */
export const chunkedManifestFormatVersion = 3;
const readableFormatVersions = [1, 2, 3];

export interface ColumnDefinition {
  name: string;
  /** format_type() output, schema-qualified: "numeric(40,10)", "app.mood[]". */
  type: string;
  notNull: boolean;
  /** Default expression, when the column has one (not for generated columns). */
  default?: string;
  /** Qualified collation when it differs from the type's default. */
  collation?: string;
  /** 'always' | 'by default' for identity columns. */
  identity?: 'always' | 'by default';
  /** COMMENT ON COLUMN text; a column added back gets it again. */
  comment?: string;
  /** Expression of a generated column; such columns are not in the data and are recomputed. */
  generated?: string;
}

export interface SequenceState {
  /** Qualified name at backup time. */
  name: string;
  /** The owning column: on restore the sequence is found again through it (identity, serial). */
  column?: string;
  /** A column whose nextval() default uses the sequence, which no column owns: found again by name. */
  usedBy?: string;
  lastValue: string;
  isCalled: boolean;
}

export interface TableDdl {
  /** Statements that recreate the table when it no longer exists, in order. */
  create: string[];
  /** Foreign keys of this table, added back (when missing) after every restored table is loaded. */
  foreignKeys: { name: string; sql: string }[];
  /** Row-level security policies, added back (when missing by name) to the restored table. */
  policies?: { name: string; sql: string }[];
  /** For a partition: the ALTER TABLE … ATTACH PARTITION that puts it back under its parent. */
  attach?: string;
}

export interface PartitionPlace {
  /** The parent, as a qualified SQL name. */
  of: string;
  /** FOR VALUES … / DEFAULT, as pg_get_expr prints it. */
  bound: string;
}

export interface TableBackup {
  /** "schema.table", unquoted. */
  name: string;
  schema: string;
  table: string;
  partitioned: boolean;
  /** Format 2: true for a partitioned table, whose rows are in its partitions' objects (its own is empty). */
  rowsInPartitions?: boolean;
  /** Where the table sits in a partition tree, when it is a partition. */
  partition?: PartitionPlace;
  /** PARTITION BY … of a partitioned table. */
  partitionKey?: string;
  /** The owning role at backup time; a recreated table is given back to it. */
  owner?: string;
  rows: number;
  /** Bytes of uncompressed COPY text. */
  bytes: number;
  compressedBytes: number;
  /** SHA-256 (hex) of the uncompressed COPY text: `gunzip -c <object> | sha256sum`. */
  sha256: string;
  key: string;
  location: string;
  /** Every column in table order. */
  columns: ColumnDefinition[];
  /** The columns in the data, in order (every column except generated ones). */
  copyColumns: string[];
  ddl: TableDdl;
  sequences: SequenceState[];
  /**
   * Format 3: the table's rows are the concatenation of these objects, in this order (each
   * read by its own COPY stream under the backup's snapshot). `key` is then the first chunk's,
   * `rows`, `bytes` and `compressedBytes` are the chunks' sums, and `sha256` is the SHA-256 of
   * the chunks' digests, one hex line each (digest-stream.ts).
   */
  chunks?: TableChunk[];
}

export interface TableChunk {
  key: string;
  location: string;
  rows: number;
  /** Bytes of uncompressed COPY text. */
  bytes: number;
  compressedBytes: number;
  /** SHA-256 of this chunk's uncompressed COPY text: `gunzip -c <object> | sha256sum`. */
  sha256: string;
  /** Which rows: a page (ctid) range of the table, under the backup's snapshot. */
  range: ChunkRange;
}

/** A view or materialized view over backed-up tables, which a DROP … CASCADE would take with it. */
export interface ViewBackup {
  /** "schema.view", unquoted. */
  name: string;
  schema: string;
  view: string;
  kind: 'view' | 'materialized view';
  /** A materialized view holding data at backup time is recreated WITH DATA (from the restored rows). */
  populated: boolean;
  owner: string;
  /** The backed-up tables it reads, directly or through other views ("schema.table"). */
  dependsOn: string[];
  ddl: {
    /** CREATE [MATERIALIZED] VIEW … AS …, schema-qualified. */
    create: string;
    /** A materialized view's indexes. */
    indexes: string[];
    /** Privileges granted to anyone but the owner, table and column level. */
    grants: string[];
    /** COMMENT ON statements for it, its columns and its indexes. */
    comments: string[];
  };
}

export interface BackupManifest {
  formatVersion: number;
  executionId: string;
  database: string;
  serverVersion: string;
  fingerprintBefore: string;
  createdAt: string;
  /** How the data objects are written: text COPY under these settings, gzip. */
  format: { copy: 'text'; compression: 'gzip'; settings: Record<string, string> };
  tables: TableBackup[];
  /** Tables asked for that did not exist when the backup ran (nothing to lose, nothing to restore). */
  missingAtBackup: string[];
  /**
   * The RDS or Aurora snapshot of the whole database taken just before these tables were
   * copied, when the workflow is configured with one: the net for what the tables do not hold.
   */
  databaseSnapshot?: DatabaseSnapshotRecord;
  /**
   * Views over the backed-up tables, in creation order (each after the views it reads);
   * absent in manifests written before views were recorded.
   */
  views?: ViewBackup[];
}

/** Where the objects of one execution live: `<database>/<executionId>/…`. */
export function backupPrefix(database: string, executionId: string): string {
  return `${safeKeyPart(database)}/${safeKeyPart(executionId)}/`;
}

export function tableKey(database: string, executionId: string, tableName: string): string {
  return `${backupPrefix(database, executionId)}${safeKeyPart(tableName)}.copy.gz`;
}

/**
 * Chunk `index` (from 0) of a table backed up in chunks: `<schema>.<table>.copy.0001.gz`, …
 * No table's own key (ending `.copy.gz`) and no other table's chunk can have that name.
 */
export function chunkKey(database: string, executionId: string, tableName: string, index: number): string {
  return `${backupPrefix(database, executionId)}${safeKeyPart(tableName)}.copy.${String(index + 1).padStart(4, '0')}.gz`;
}

export function manifestKey(database: string, executionId: string): string {
  return `${backupPrefix(database, executionId)}manifest.json`;
}

/** Keeps keys portable (S3 and file names): anything but [A-Za-z0-9._-] is %-encoded. */
function safeKeyPart(part: string): string {
  return part.replace(/[^A-Za-z0-9._-]/g, (c) =>
    [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

export async function readManifest(store: BackupStore, key: string): Promise<BackupManifest> {
  const text = (await readAll(await store.get(key))).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new BackupError(
      `backup manifest ${key} is not valid JSON — the object is damaged or not a manifest`,
      {
        cause: error,
      },
    );
  }
  return checkManifest(parsed, key);
}

function checkManifest(value: unknown, key: string): BackupManifest {
  const manifest = value as Partial<BackupManifest>;
  if (typeof manifest !== 'object' || manifest === null || !Array.isArray(manifest.tables)) {
    throw new BackupError(
      `backup manifest ${key} has no "tables" list — it is not a stepmigrate backup manifest`,
    );
  }
  if (!readableFormatVersions.includes(manifest.formatVersion as number)) {
    throw new BackupError(
      `backup manifest ${key} has format version ${String(manifest.formatVersion)}; this stepmigrate reads versions ${readableFormatVersions.join(' and ')}`,
    );
  }
  for (const table of manifest.tables) {
    if (
      typeof table?.name !== 'string' ||
      typeof table.key !== 'string' ||
      typeof table.sha256 !== 'string'
    ) {
      throw new BackupError(`backup manifest ${key} has a table entry without name, key or sha256`);
    }
  }
  return manifest as BackupManifest;
}

export function manifestBody(manifest: BackupManifest): Buffer {
  return Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
}
