// A throw-away database on the same server as `baseUrl`, for `stepmigrate check`: created
// empty, dropped afterwards whatever happened, so a check never touches real data.
import { randomBytes } from 'node:crypto';
import { PgDatabase } from '../../lambdas/adapters/pg-database.ts';
import { messageOf, PreflightError } from '../../lambdas/engine/errors.ts';
import { quoteIdent } from '../../lambdas/engine/sql/identifiers.ts';

export interface ScratchDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createScratchDatabase(baseUrl: string): Promise<ScratchDatabase> {
  const name = `stepmigrate_check_${randomBytes(5).toString('hex')}`;
  const server = new PgDatabase(baseUrl);
  try {
    await server.withConnection((conn) => conn.query(`CREATE DATABASE ${quoteIdent(name)}`));
  } catch (error) {
    await server.close();
    throw new PreflightError(
      `cannot create a scratch database for the check on ${server.location}: ${messageOf(error)} — ` +
        'the role needs CREATEDB, or point --database-url at a server where it has it',
      { cause: error },
    );
  }
  const url = new URL(baseUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      try {
        await server.withConnection((conn) =>
          conn.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
        );
      } finally {
        await server.close();
      }
    },
  };
}
