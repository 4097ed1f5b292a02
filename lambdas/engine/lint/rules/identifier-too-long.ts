// PostgreSQL silently truncates identifiers to NAMEDATALEN - 1 = 63 bytes, so two long names
// that share their first 63 bytes become the same object, and what the migration says is not
// what the catalog holds. The parser has already truncated the names in the parse tree, so
// this rule reads the statement's tokens.
import { scanSync } from 'libpg-query';
import type { LintRule } from '../rule.ts';
import { eachStatement } from './statement-rule.ts';

const MAX_IDENTIFIER_BYTES = 63;
/** A statement without 64 name characters in a row, or a quote, cannot hold a long identifier. */
const MAY_HOLD_LONG_NAME = /[\p{L}\p{N}_$]{64}|"/u;

export const identifierTooLong: LintRule = {
  id: 'identifier-too-long',
  severity: 'warning',
  parity: 'squawk',
  catches: 'identifiers longer than 63 bytes, which PostgreSQL silently truncates',
  instead: 'a name of at most 63 bytes',
  check(context) {
    return eachStatement(context, ({ sql }) => {
      if (Buffer.byteLength(sql) <= MAX_IDENTIFIER_BYTES || !MAY_HOLD_LONG_NAME.test(sql)) return undefined;
      const long = longIdentifier(sql);
      if (long === undefined) return undefined;
      return [
        `"${long}" is ${Buffer.byteLength(long)} bytes long; PostgreSQL truncates identifiers to ${MAX_IDENTIFIER_BYTES} bytes without an error, so the object gets another name than the one written here (and two such names can collide). Use a shorter name.`,
        `${Buffer.from(long)
          .subarray(0, MAX_IDENTIFIER_BYTES)
          .toString('utf8')
          .replace(/\uFFFD$/, '')}  (or a shorter name of your choice)`,
      ];
    });
  },
};

function longIdentifier(sql: string): string | undefined {
  for (const token of scanSync(sql).tokens) {
    if (token.tokenName !== 'IDENT' && token.tokenName !== 'UIDENT') continue;
    const name = token.text.startsWith('"') ? token.text.slice(1, -1).replaceAll('""', '"') : token.text;
    if (Buffer.byteLength(name) > MAX_IDENTIFIER_BYTES) return name;
  }
  return undefined;
}
