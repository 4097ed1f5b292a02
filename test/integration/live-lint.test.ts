// Live-aware lint: the same lock hazard is info on a table that does not exist yet or is
// empty, and an error on a big one — something a static linter such as Squawk cannot know.
import { describe, expect, it } from '@jest/globals';
import type { EngineContext } from '../../lambdas/engine/context.ts';
import { lintMigrations } from '../../lambdas/engine/lint/index.ts';
import { applyLiveSeverity } from '../../lambdas/engine/lint/live-severity.ts';
import { loadSqlParser } from '../../lambdas/engine/sql/parse.ts';
import { validateRun } from '../../lambdas/engine/steps.ts';
import { engineContext, migration, migrationDirectory } from '../support/engine.ts';
import { useProjectDatabase } from '../support/project-database.ts';

const database = useProjectDatabase('live_lint', 'DROP SCHEMA IF EXISTS app, stepmigrate CASCADE');

const files = {
  '0001_create_tags.sql': migration({
    up: 'CREATE TABLE app.tags (id bigint PRIMARY KEY, label text NOT NULL);',
    down: 'DROP TABLE app.tags;',
  }),
  '0002_index_tags.sql': migration({
    up: 'CREATE INDEX tags_label_idx ON app.tags (label);',
    down: 'DROP INDEX app.tags_label_idx;',
  }),
  '0003_index_notes.sql': migration({
    up: 'CREATE INDEX notes_body_idx ON app.notes (body);',
    down: 'DROP INDEX app.notes_body_idx;',
  }),
  '0004_index_events.sql': migration({
    up: 'CREATE INDEX events_kind_idx ON app.events (kind);',
    down: 'DROP INDEX app.events_kind_idx;',
  }),
};

async function withProject(test: (ctx: EngineContext) => Promise<void>) {
  const directory = await migrationDirectory(files);
  try {
    await test(await engineContext(database.db, directory.path));
  } finally {
    await directory.remove();
  }
}

const existingTables = `CREATE SCHEMA app;
  CREATE TABLE app.notes (body text);
  CREATE TABLE app.events (kind text);
  INSERT INTO app.events SELECT 'k' || i FROM generate_series(1, 50) i;
  ANALYZE app.events`;

describe('live-aware lint', () => {
  it('counts a table never analyzed, and never waits behind a lock on a table it looks at', () =>
    withProject(async (ctx) => {
      await database.db.withConnection((conn) =>
        conn.query(
          "CREATE SCHEMA app; CREATE TABLE app.notes (body text); CREATE TABLE app.events (kind text); INSERT INTO app.events SELECT 'k' || i FROM generate_series(1, 50) i",
        ),
      );
      await loadSqlParser();
      const pending = ctx.migrations.migrations;
      const findings = lintMigrations(pending)
        .filter((f) => f.rule === 'require-concurrent-index-creation')
        .map((f) => ({ ...f, severity: 'warning' as const }));
      const settings = { enabled: true, warningRows: 10, errorRows: 40 };
      await database.db.withConnection(async (holder) => {
        await holder.query('BEGIN; LOCK TABLE app.notes IN ACCESS EXCLUSIVE MODE');
        try {
          const started = Date.now();
          const live = await database.db.withConnection((conn) =>
            applyLiveSeverity(conn, pending, findings, settings),
          );
          expect(Date.now() - started).toBeLessThan(5000);
          // app.notes could not be read: its finding stays as the rules made it.
          expect(live.map((f) => [f.migration, f.severity])).toEqual([
            ['0002', 'info'],
            ['0003', 'warning'],
            ['0004', 'error'],
          ]);
          // Never analyzed: counted, up to the error threshold.
          expect(live[2]!.message).toContain('app.events has at least 40 rows');
        } finally {
          await holder.query('ROLLBACK');
        }
      });
    }));

  it('turns a lock hazard into info on a table created earlier in the run or empty, and raises it on a big one', () =>
    withProject(async (ctx) => {
      await database.db.withConnection((conn) => conn.query(existingTables));
      await loadSqlParser();
      const pending = ctx.migrations.migrations;
      const rule = 'require-concurrent-index-creation';
      const statically = lintMigrations(pending).filter((f) => f.rule === rule);
      expect(statically.map((f) => [f.migration, f.severity])).toEqual([
        ['0002', 'error'],
        ['0003', 'error'],
        ['0004', 'error'],
      ]);
      const warningOnly = statically.map((f) => ({ ...f, severity: 'warning' as const }));
      const live = await database.db.withConnection((conn) =>
        applyLiveSeverity(conn, pending, warningOnly, { enabled: true, warningRows: 10, errorRows: 40 }),
      );
      expect(live.map((f) => [f.migration, f.severity])).toEqual([
        ['0002', 'info'],
        ['0003', 'info'],
        ['0004', 'error'],
      ]);
      expect(live[0]!.message).toContain('app.tags is created by 0001 earlier in this run');
      expect(live[1]!.message).toContain('app.notes is empty');
      expect(live[2]!.message).toContain('app.events has about 50 rows');

      const off = await database.db.withConnection((conn) =>
        applyLiveSeverity(conn, pending, warningOnly, { enabled: false, warningRows: 10, errorRows: 40 }),
      );
      expect(off).toEqual(warningOnly);
    }));

  it('is what Validate does by default: the run that a static linter refuses goes ahead', () =>
    withProject(async (ctx) => {
      await database.db.withConnection((conn) =>
        conn.query(
          'CREATE SCHEMA app; CREATE TABLE app.notes (body text); CREATE TABLE app.events (kind text)',
        ),
      );
      const state = await validateRun(ctx, { dryRun: true }, 'exec-live');
      expect(state.plan.steps).toHaveLength(4);
      expect(
        state.plan.findings
          .filter((f) => f.rule === 'require-concurrent-index-creation')
          .map((f) => f.severity),
      ).toEqual(['info', 'info', 'info']);

      await database.db.withConnection((conn) => conn.query("INSERT INTO app.events VALUES ('signup')"));
      await expect(validateRun(ctx, { dryRun: true }, 'exec-live-2')).rejects.toMatchObject({
        name: 'LintError',
        migration: '0004',
      });
    }));
});
