// Reads the IAM statements of a synthesized template per role, so tests can ask "who may
// do what to which resource" instead of matching policy JSON.
import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

export interface Statement {
  /** Logical id of the role the statement's policy is attached to. */
  role: string;
  effect: string;
  actions: string[];
  /** Each resource as JSON, so a logical id can be looked for in it. */
  resources: string[];
  condition?: Record<string, unknown>;
}

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

export function allStatements(template: Template): Statement[] {
  const statements: Statement[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles = asArray(policy.Properties.Roles as { Ref: string }[]).map((role) => role.Ref);
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      for (const role of roles) {
        statements.push({
          role,
          effect: statement.Effect,
          actions: asArray(statement.Action),
          resources: asArray(statement.Resource).map((resource) => JSON.stringify(resource)),
          condition: statement.Condition,
        });
      }
    }
  }
  return statements;
}

export function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId((construct.node.defaultChild ?? construct) as never);
}

export function roleId(stack: Stack, role: iam.IRole | undefined): string {
  if (!role) throw new Error('function has no role');
  return logicalId(stack, role);
}

/** Does `action` (possibly a wildcard like "s3:Put*") grant any of `wanted`? */
export function grantsAny(action: string, wanted: readonly string[]): boolean {
  const pattern = new RegExp(`^${action.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
  return wanted.some((candidate) => pattern.test(candidate));
}
