import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { localEngineContext } from '../../../cli/local/project.ts';
import { buildProgram, commandNamed } from '../../../cli/main.ts';
import { PgDatabase } from '../../../lambdas/adapters/pg-database.ts';

describe('adoption settings reach the engine', () => {
  it('reads stepmigrate.json "adopt" and "liveLint"; --keep-tool-history overrides the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stepmigrate-adopt-settings-'));
    const db = new PgDatabase('postgres://nobody@127.0.0.1:1/none');
    try {
      await writeFile(
        join(dir, 'stepmigrate.json'),
        JSON.stringify({
          adopt: { table: 'ops.schema_migrations', keepToolHistory: false },
          liveLint: { errorRows: 500 },
        }),
      );
      const migrations = { directory: dir, layout: 'golang-migrate' as const, migrations: [] };
      const fromFile = await localEngineContext({ db, migrations, projectDir: dir });
      expect(fromFile.adopt).toEqual({ table: 'ops.schema_migrations', keepToolHistory: false });
      expect(fromFile.liveLint).toEqual({ enabled: true, warningRows: 500, errorRows: 500 });
      const flagged = await localEngineContext({ db, migrations, projectDir: dir, keepToolHistory: true });
      expect(flagged.adopt).toEqual({ table: 'ops.schema_migrations', keepToolHistory: true });
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('run and rollback offer --keep-tool-history', async () => {
    for (const name of ['run', 'rollback']) {
      const program = await buildProgram(commandNamed([name]));
      const command = program.commands.find((c) => c.name() === name)!;
      expect(command.options.map((option) => option.long)).toContain('--keep-tool-history');
    }
  });
});
