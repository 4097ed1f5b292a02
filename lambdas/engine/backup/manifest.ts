// The manifest: what a backup holds and everything needed to put it back, written as
// `manifest.json` next to the table objects of one execution.

import type { BackupStore } from '../../ports.ts';
import { BackupError } from '../errors.ts';
import { readAll } from './stream-utils.ts';

export const manifestFormatVersion = 1;

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
  /** Expression of a generated column; such columns are not in the data and are recomputed. */
  generated?: string;
}

export interface SequenceState {
  /** Qualified name at backup time. */
  name: string;
  /** The owning column: on restore the sequence is found again through it (identity, serial). */
  column?: string;
  lastValue: string;
  isCalled: boolean;
}

export interface TableDdl {
  /** Statements that recreate the table when it no longer exists, in order. */
  create: string[];
  /** Foreign keys of this table, added back (when missing) after every restored table is loaded. */
  foreignKeys: { name: string; sql: string }[];
}

export interface TableBackup {
  /** "schema.table", unquoted. */
  name: string;
  schema: string;
  table: string;
  partitioned: boolean;
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
}

/** Where the objects of one execution live: `<database>/<executionId>/…`. */
export function backupPrefix(database: string, executionId: string): string {
  return `${safeKeyPart(database)}/${safeKeyPart(executionId)}/`;
}

export function tableKey(database: string, executionId: string, tableName: string): string {
  return `${backupPrefix(database, executionId)}${safeKeyPart(tableName)}.copy.gz`;
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
  if (manifest.formatVersion !== manifestFormatVersion) {
    throw new BackupError(
      `backup manifest ${key} has format version ${String(manifest.formatVersion)}; this stepmigrate reads version ${manifestFormatVersion}`,
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
