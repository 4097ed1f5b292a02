// golang-migrate and Flyway files carry no `transaction:false` marker. Flyway decides by
// looking at the statements, and golang-migrate files often manage their own BEGIN/COMMIT;
// running either inside the engine's transaction would fail or commit it early. So a
// whole-file section runs outside a transaction when it holds such statements.

const nonTransactional = [
  /\b(CREATE\s+(UNIQUE\s+)?INDEX|DROP\s+INDEX|REINDEX\b[^;]*)\s+CONCURRENTLY\b/i,
  /\bDETACH\s+PARTITION\b[^;]*\bCONCURRENTLY\b/i,
  /(^|;)\s*(VACUUM|ALTER\s+SYSTEM|CREATE\s+DATABASE|DROP\s+DATABASE|CREATE\s+TABLESPACE|DROP\s+TABLESPACE)\b/i,
  /(^|;)\s*(BEGIN|START\s+TRANSACTION|COMMIT|ROLLBACK)\s*(;|$)/i,
];

/** false when the SQL cannot run inside a transaction the engine opens around it. */
export function canRunInTransaction(sql: string): boolean {
  const code = withoutCommentsAndLiterals(sql);
  return !nonTransactional.some((pattern) => pattern.test(code));
}

/** The SQL with comments, quoted strings and dollar-quoted bodies replaced by a space. */
export function withoutCommentsAndLiterals(sql: string): string {
  const pattern = /--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|"(?:[^"]|"")*"|(\$[A-Za-z_0-9]*\$)[\s\S]*?\1/g;
  return sql.replace(pattern, ' ');
}
