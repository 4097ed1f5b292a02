// PostgreSQL silently truncates identifiers to NAMEDATALEN - 1 = 63 bytes, so two long names
// that share their first 63 bytes become the same object, and what the migration says is not
// what the catalog holds. The parser has already truncated the names in the parse tree, so
// this rule reads the statement's tokens.
import { scanSql } from '../../sql/parse.ts';
import type { LintRule } from '../rule.ts';
import { eachStatement } from './statement-rule.ts';

const MAX_IDENTIFIER_BYTES = 63;

export const identifierTooLong: LintRule = {
  id: 'identifier-too-long',
  severity: 'warning',
  parity: 'squawk',
  catches: 'identifiers longer than 63 bytes, which PostgreSQL silently truncates',
  instead: 'a name of at most 63 bytes',
  check(context) {
    return eachStatement(context, ({ sql }) => {
      if (!mayHoldLongName(sql)) return undefined;
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

/**
 * False when `sql` has no quote and no run of name characters longer than 63 bytes: then no
 * token can be a long identifier and the scanner need not run. One pass over the text; a
 * character outside ASCII is counted as 3 bytes, which can only err towards scanning.
 */
function mayHoldLongName(sql: string): boolean {
  let runBytes = 0;
  for (let i = 0; i < sql.length; i++) {
    const code = sql.charCodeAt(i);
    if (code === 0x22) return true;
    if (code >= 0x80) runBytes += 3;
    else if (isAsciiNameChar(code)) runBytes += 1;
    else runBytes = 0;
    if (runBytes > MAX_IDENTIFIER_BYTES) return true;
  }
  return false;
}

function isAsciiNameChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x5f ||
    code === 0x24
  );
}

function longIdentifier(sql: string): string | undefined {
  for (const token of scanSql(sql).tokens) {
    if (token.tokenName !== 'IDENT' && token.tokenName !== 'UIDENT') continue;
    const name = token.text.startsWith('"') ? token.text.slice(1, -1).replaceAll('""', '"') : token.text;
    if (Buffer.byteLength(name) > MAX_IDENTIFIER_BYTES) return name;
  }
  return undefined;
}
