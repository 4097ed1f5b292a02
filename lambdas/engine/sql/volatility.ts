// Whether a DEFAULT expression is volatile. Since PostgreSQL 11, ADD COLUMN … DEFAULT <expr>
// stores a non-volatile default once in the catalog and does not touch existing rows; a
// volatile one (random(), gen_random_uuid(), clock_timestamp(), nextval()…) must be
// evaluated per row, which rewrites the whole table under an ACCESS EXCLUSIVE lock.
//
// now()/CURRENT_TIMESTAMP are STABLE, not volatile: every existing row gets the same value
// and nothing is rewritten. A function we do not know is treated as volatile, because a
// user-defined function is VOLATILE unless declared otherwise.
import type { Node } from 'libpg-query';
import { stringsOf } from './names.ts';

const NON_VOLATILE_FUNCTIONS = new Set([
  'now',
  'transaction_timestamp',
  'statement_timestamp',
  'current_setting',
  'lower',
  'upper',
  'btrim',
  'trim',
  'length',
  'abs',
  'round',
  'concat',
  'md5',
  'date_trunc',
  'make_date',
  'make_interval',
  'make_timestamp',
  'make_timestamptz',
  'timezone',
  'to_timestamp',
  'to_date',
  'to_char',
  'to_json',
  'to_jsonb',
  'json_build_object',
  'jsonb_build_object',
  'json_build_array',
  'jsonb_build_array',
  'array_fill',
  'uuid_nil',
  'inet',
  'int4range',
  'int8range',
  'numrange',
  'tstzrange',
  'daterange',
]);

/** True when evaluating `expr` may give a different value per row. Unknown shapes count as volatile. */
export function isVolatileExpression(expr: Node | undefined): boolean {
  if (expr === undefined) return false;
  if ('A_Const' in expr || 'SQLValueFunction' in expr || 'ParamRef' in expr) return false;
  if ('TypeCast' in expr) return isVolatileExpression(expr.TypeCast.arg);
  if ('A_Expr' in expr)
    return isVolatileExpression(expr.A_Expr.lexpr) || isVolatileExpression(expr.A_Expr.rexpr);
  if ('BoolExpr' in expr) return anyVolatile(expr.BoolExpr.args);
  if ('CoalesceExpr' in expr) return anyVolatile(expr.CoalesceExpr.args);
  if ('MinMaxExpr' in expr) return anyVolatile(expr.MinMaxExpr.args);
  if ('A_ArrayExpr' in expr) return anyVolatile(expr.A_ArrayExpr.elements);
  if ('List' in expr) return anyVolatile(expr.List.items);
  if ('CaseExpr' in expr) return caseIsVolatile(expr);
  if ('FuncCall' in expr) {
    const name = stringsOf(expr.FuncCall.funcname).at(-1)?.toLowerCase() ?? '';
    if (!NON_VOLATILE_FUNCTIONS.has(name)) return true;
    return anyVolatile(expr.FuncCall.args);
  }
  return true;
}

function anyVolatile(nodes: Node[] | undefined): boolean {
  return (nodes ?? []).some((node) => isVolatileExpression(node));
}

function caseIsVolatile(expr: Node & { CaseExpr: unknown }): boolean {
  const node = (expr as { CaseExpr: { arg?: Node; args?: Node[]; defresult?: Node } }).CaseExpr;
  const whens = (node.args ?? []).flatMap((when) =>
    'CaseWhen' in when ? [when.CaseWhen.expr, when.CaseWhen.result] : [when],
  );
  return (
    isVolatileExpression(node.arg) ||
    whens.some((part) => part !== undefined && isVolatileExpression(part)) ||
    isVolatileExpression(node.defresult)
  );
}
