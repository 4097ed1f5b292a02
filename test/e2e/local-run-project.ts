// What the e2e files that run the workflow locally share: one test database for the file,
// and for each test a fresh project folder and migrations directory, removed after it with
// the schemas the run made.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from '@jest/globals';
import { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from '../support/database.ts';
import { type MigrationDirectory, migrationDirectory } from '../support/engine.ts';

/** Where the synthesized workflow definition is cached between test files. */
export const WORKFLOW_CACHE_DIR = join(tmpdir(), 'stepmigrate-test-workflow-cache');

export interface LocalRunProject {
  readonly database: TestDatabase;
  /** This test's project folder (`.stepmigrate/`: audit log, metrics, backups). */
  readonly projectDir: string;
  /** Writes `files` into this test's migrations directory, made on first use; returns its path. */
  migrations(files: Record<string, string>): Promise<string>;
}

/** Registers the file's hooks; `label` names the database, `prefix` the project folders. */
export function useLocalRunProject(
  label: string,
  prefix: string,
  databaseOptions?: TestDatabaseOptions,
): LocalRunProject {
  let database: TestDatabase;
  let projectDir: string;
  let migrations: MigrationDirectory | undefined;

  beforeAll(async () => {
    database = await createTestDatabase(label, databaseOptions);
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    projectDir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await migrations?.remove();
    migrations = undefined;
    await rm(projectDir, { recursive: true, force: true });
    await database.db.withConnection((conn) =>
      conn.query('DROP SCHEMA IF EXISTS app CASCADE; DROP SCHEMA IF EXISTS stepmigrate CASCADE'),
    );
  });

  return {
    get database() {
      return database;
    },
    get projectDir() {
      return projectDir;
    },
    async migrations(files) {
      migrations ??= await migrationDirectory();
      await migrations.write(files);
      return migrations.path;
    },
  };
}
