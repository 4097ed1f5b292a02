// The Lambda bundles replace pgpass (pg's ~/.pgpass lookup) with a stand-in that finds
// nothing (infra/bundling.ts): the same answer the real pgpass gives where there is no
// password file, which is every Lambda.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { LAMBDA_BUNDLE_ALIASES, PROJECT_ROOT } from '../../../infra/bundling.ts';

type PgPass = (params: Record<string, unknown>, callback: (password?: string) => void) => void;

const require = createRequire(import.meta.url);
const lookUp = (pgpass: PgPass) =>
  new Promise<string | undefined>((resolve) =>
    pgpass({ host: 'db.internal', port: 5432, database: 'app', user: 'app' }, resolve),
  );

describe('the pgpass stand-in', () => {
  it('answers like the real pgpass when there is no password file', async () => {
    const standIn = require(join(PROJECT_ROOT, LAMBDA_BUNDLE_ALIASES.pgpass!)) as PgPass;
    const saved = process.env.PGPASSFILE;
    process.env.PGPASSFILE = join(PROJECT_ROOT, 'no-such-pgpass-file');
    try {
      const real = await lookUp(require('pgpass') as PgPass);
      expect(real).toBeUndefined();
      expect(await lookUp(standIn)).toBe(real);
    } finally {
      if (saved === undefined) delete process.env.PGPASSFILE;
      else process.env.PGPASSFILE = saved;
    }
  });
});
