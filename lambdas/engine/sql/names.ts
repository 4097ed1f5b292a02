// Turning parse-tree names into the "schema.name" strings the rest of the engine compares.
// Unqualified names resolve to `public` (the default search_path).
import type { Node, RangeVar, TypeName } from 'libpg-query';

export const DEFAULT_SCHEMA = 'public';

export function relationName(relation: RangeVar | undefined): string | undefined {
  if (relation?.relname === undefined) return undefined;
  return `${relation.schemaname ?? DEFAULT_SCHEMA}.${relation.relname}`;
}

/** The strings of a list of `{ String: { sval } }` nodes. */
export function stringsOf(nodes: Node[] | undefined): string[] {
  const out: string[] = [];
  for (const node of nodes ?? []) {
    if ('String' in node && node.String.sval !== undefined) out.push(node.String.sval);
  }
  return out;
}

/** "schema.name" for a possibly qualified dotted name given as parts. */
export function qualify(parts: string[]): string | undefined {
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return `${DEFAULT_SCHEMA}.${parts[0]}`;
  return parts.slice(-2).join('.');
}

/** The object name of one entry in a DropStmt's `objects` list, qualified. */
export function droppedObjectName(node: Node): string | undefined {
  if ('List' in node) return qualify(stringsOf(node.List.items));
  if ('String' in node) return node.String.sval;
  if ('TypeName' in node) return qualify(stringsOf(node.TypeName.names));
  if ('ObjectWithArgs' in node) return qualify(stringsOf(node.ObjectWithArgs.objname));
  return undefined;
}

/** The type's own name without the pg_catalog prefix the parser adds: int4, varchar, timestamptz… */
export function baseTypeName(typeName: TypeName | undefined): string {
  const parts = stringsOf(typeName?.names);
  return (parts[parts.length - 1] ?? '').toLowerCase();
}

export function typeModifiers(typeName: TypeName | undefined): number[] {
  const out: number[] = [];
  for (const node of typeName?.typmods ?? []) {
    if ('A_Const' in node) out.push(node.A_Const.ival?.ival ?? 0);
  }
  return out;
}

export function schemaOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot === -1 ? DEFAULT_SCHEMA : name.slice(0, dot);
}
