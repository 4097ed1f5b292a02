import type { LintRule } from '../rule.ts';
import { hit } from '../rule.ts';

export const destructiveWithoutVerify: LintRule = {
  id: 'destructive-without-verify',
  severity: 'warning',
  parity: 'stepmigrate',
  catches:
    'a migration whose up section destroys or rewrites existing data but has no `-- migrate:verify` section',
  instead: 'add a verify section that proves the data is as expected afterwards',
  check(context) {
    if (context.migration.verify !== null) return [];
    const { up } = context;
    const index = up.statements.findIndex(
      (s, i) => s.destroysUnnamed !== undefined || s.destroys.some((table) => !up.isNewTable(table, i)),
    );
    if (index === -1) return [];
    const statement = up.statements[index]!;
    const tables = statement.destroys.join(', ') || 'data it does not name';
    return [
      hit(
        up,
        statement,
        `This migration deletes or changes existing rows (${tables}) and has no -- migrate:verify section, so nothing checks the result before the run is declared a success and the backup ages out. Add a verify section that fails (raises) when the data is not what you expect.`,
        "-- migrate:verify\nDO $$ BEGIN IF EXISTS (SELECT 1 FROM … WHERE <unexpected>) THEN RAISE EXCEPTION '…'; END IF; END $$;",
      ),
    ];
  },
};
