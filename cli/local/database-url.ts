// A connection URL is checked before anything connects: pg reads "garbage" as a database
// name on localhost:5432 and a bad port as a TypeError, and neither says what to fix.
import { redactUrl } from '../../lambdas/adapters/pg-database.ts';
import { InputError } from '../../lambdas/engine/errors.ts';

const EXAMPLE = 'postgres://user:password@host:5432/database';

/** The problem with `url` as a PostgreSQL connection URL, or undefined when it is usable. */
export function databaseUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const port = /^[a-z]+:\/\/[^/]*:([^/@]*)(\/|$)/i.exec(url)?.[1];
    return port !== undefined ? `port "${port}" is not a number from 1 to 65535` : 'it is not a URL';
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    return `it starts with "${parsed.protocol}//", not postgres:// or postgresql://`;
  if (parsed.hostname === '' && !parsed.searchParams.has('host')) return 'it names no host';
  if (parsed.port !== '' && (Number(parsed.port) < 1 || Number(parsed.port) > 65535))
    return `port ${parsed.port} is not from 1 to 65535`;
  return undefined;
}

/**
 * Refused input (exit 2, like an out-of-range number): the value is an argument of the right
 * shape that cannot be used. The message names where it came from and never its password
 * (commander's own usage errors repeat the value, so this is not a usage error).
 */
export function checkedDatabaseUrl(value: string, source: '--database-url' | 'DATABASE_URL'): string {
  const problem = databaseUrlProblem(value);
  if (problem) {
    const fix =
      source === 'DATABASE_URL'
        ? `set it to ${EXAMPLE}, or unset it to use the embedded PostgreSQL`
        : `pass ${EXAMPLE}`;
    throw new InputError(
      `${source} is not a usable PostgreSQL URL (${redactUrl(value)}): ${problem} — ${fix}`,
    );
  }
  return value;
}
