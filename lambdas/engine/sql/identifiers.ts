// Quoting for identifiers the engine puts into SQL it writes itself (the history schema name,
// table names from the plan). Values go in as parameters, except where a statement cannot
// take them: SET, and statements sent together in one round trip (several statements in one
// message take no parameters), whose values are quoted as literals here.

/** Quotes an identifier the way PostgreSQL's quote_ident does. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes "schema.table" (or "table", read as public.table) as a qualified name. */
export function quoteQualified(qualifiedName: string): string {
  const dot = qualifiedName.indexOf('.');
  if (dot === -1) return `${quoteIdent('public')}.${quoteIdent(qualifiedName)}`;
  return `${quoteIdent(qualifiedName.slice(0, dot))}.${quoteIdent(qualifiedName.slice(dot + 1))}`;
}

/** Quotes a string literal the way PostgreSQL's quote_literal does (standard_conforming_strings on). */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Quotes a string literal that reads the same whatever `standard_conforming_strings` says:
 * with a backslash in it, as an `E'…'` string with the backslash doubled (pg's escapeLiteral).
 * For values the engine must inline because the statement cannot take parameters.
 */
export function quoteLiteralAnyMode(value: string): string {
  const quoted = value.replaceAll("'", "''");
  return value.includes('\\') ? ` E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}

/** A text[] literal of `values` (`ARRAY['a', 'b']::text[]`), quoted like quoteLiteralAnyMode. */
export function textArrayLiteral(values: readonly string[]): string {
  return `ARRAY[${values.map(quoteLiteralAnyMode).join(', ')}]::text[]`;
}
