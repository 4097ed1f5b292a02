// A test database for running whole fixture projects through the engine: tests compare the
// schema's fingerprint with the one from before any migration ran, and change copies of a
// fixture, never the fixture itself.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import type { PgDatabase } from '../../lambdas/adapters/pg-database.ts';
import { schemaState } from '../../lambdas/engine/schema-state.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export interface ProjectDatabase {
  readonly db: PgDatabase;
  /** The fingerprint of the database before any test of the file ran. */
  readonly emptyFingerprint: string;
  /** The fingerprint of the schema now, the `stepmigrate` history schema aside. */
  fingerprint(): Promise<string>;
  /** A copy of a fixture directory that a test may change; removed after the file's tests. */
  copyOf(fixture: string): Promise<string>;
  /** A new execution id for each run, as the workflow gives one. */
  nextExecution(): string;
}

/**
 * Registers the file's hooks: creates the database before its tests, runs `cleanupSql` after
 * each (so every test starts from an empty schema), and drops it with the copies at the end.
 */
export function useProjectDatabase(label: string, cleanupSql: string): ProjectDatabase {
  let database: TestDatabase;
  let emptyFingerprint: string;
  let executions = 0;
  const copies: string[] = [];
  const fingerprint = () =>
    database.db.withConnection(async (conn) => (await schemaState(conn, 'stepmigrate')).fingerprint);

  beforeAll(async () => {
    database = await createTestDatabase(label);
    emptyFingerprint = await fingerprint();
  });
  afterAll(async () => {
    await Promise.all(copies.map((path) => rm(path, { recursive: true, force: true })));
    await database.drop();
  });
  afterEach(async () => {
    await database.db.withConnection((conn) => conn.query(cleanupSql));
  });

  return {
    get db() {
      return database.db;
    },
    get emptyFingerprint() {
      return emptyFingerprint;
    },
    fingerprint,
    async copyOf(fixture) {
      const path = await mkdtemp(join(tmpdir(), `stepmigrate-${label}-`));
      copies.push(path);
      await cp(fixture, path, { recursive: true });
      return path;
    },
    nextExecution: () => `exec-${++executions}`,
  };
}
