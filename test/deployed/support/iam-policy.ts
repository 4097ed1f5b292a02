// Would the function's role allow this call? The statements are the role's policies from the
// synthesized template; a call is allowed when an Allow statement matches its action and its
// resource (IAM's `*` and `?` wildcards, actions case-insensitive) and no Deny does. Condition
// keys are not evaluated (a statement with a condition is taken as matching).
import type { PolicyStatement } from './template.ts';

export interface AwsCall {
  /** The function that made it. */
  functionId: string;
  /** IAM action, e.g. "dynamodb:PutItem". */
  action: string;
  /** The resource ARN, or "*" for actions that take none (cloudwatch:PutMetricData). */
  resource: string;
}

function glob(pattern: string, flags = ''): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, flags);
}

function matches(statement: PolicyStatement, call: AwsCall): boolean {
  return (
    statement.actions.some((action) => glob(action, 'i').test(call.action)) &&
    statement.resources.some((resource) => glob(resource).test(call.resource))
  );
}

export function isAllowed(statements: readonly PolicyStatement[], call: AwsCall): boolean {
  if (statements.some((s) => s.effect === 'Deny' && matches(s, call))) return false;
  return statements.some((s) => s.effect === 'Allow' && matches(s, call));
}
