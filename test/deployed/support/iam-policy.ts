// Would the function's role allow this call? The statements are the role's policies from the
// synthesized template; a call is allowed when an Allow statement matches its action and its
// resource (IAM's `*` and `?` wildcards, actions case-insensitive) and its conditions, and no
// Deny does. Conditions are evaluated for StringEquals and StringLike on the keys the gateway
// records (`cloudwatch:namespace`, `s3:prefix`); any other condition does not match.
import type { PolicyStatement } from './template.ts';

export interface AwsCall {
  /** The function that made it. */
  functionId: string;
  /** IAM action, e.g. "dynamodb:PutItem". */
  action: string;
  /** The resource ARN, or "*" for actions that take none (cloudwatch:PutMetricData). */
  resource: string;
  /** Condition keys of the request, e.g. { "cloudwatch:namespace": "StepMigrate" }. */
  context?: Record<string, string>;
}

function glob(pattern: string, flags = ''): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, flags);
}

function conditionsHold(statement: PolicyStatement, call: AwsCall): boolean {
  for (const [operator, keys] of Object.entries(statement.conditions ?? {})) {
    for (const [key, expected] of Object.entries(keys as Record<string, unknown>)) {
      const actual = call.context?.[key];
      const values = (Array.isArray(expected) ? expected : [expected]).map(String);
      if (actual === undefined) return false;
      if (operator === 'StringEquals' && !values.includes(actual)) return false;
      if (operator === 'StringLike' && !values.some((value) => glob(value).test(actual))) return false;
      if (operator !== 'StringEquals' && operator !== 'StringLike') return false;
    }
  }
  return true;
}

function matches(statement: PolicyStatement, call: AwsCall): boolean {
  return (
    statement.actions.some((action) => glob(action, 'i').test(call.action)) &&
    statement.resources.some((resource) => glob(resource).test(call.resource)) &&
    conditionsHold(statement, call)
  );
}

export function isAllowed(statements: readonly PolicyStatement[], call: AwsCall): boolean {
  if (statements.some((s) => s.effect === 'Deny' && matches(s, call))) return false;
  return statements.some((s) => s.effect === 'Allow' && matches(s, call));
}
