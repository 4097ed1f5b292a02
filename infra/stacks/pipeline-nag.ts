// cdk-nag acknowledgements for the wildcards CDK's own grants put into the pipeline's
// policies. They are matched by what they are (the artifacts bucket and its key, CodeBuild's
// log group, the CDK bootstrap roles, the workflow's executions); any other wildcard stays
// a finding. Finding ids are only final once cross-stack references are resolved, so they
// are computed in a construct validation, which runs after that and before the nag plugin.
import { Stack, Validations } from 'aws-cdk-lib';
import { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

export interface WildcardReason {
  /** Matches the finding, e.g. "Action::s3:GetObject*" or "Resource::<Bucket.Arn>/*". */
  readonly finding: RegExp;
  readonly reason: string;
}

interface PolicyStatementJson {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
}

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The IAM5 findings cdk-nag reports for one policy document (same rules as the plugin). */
function wildcardFindings(document: { Statement?: PolicyStatementJson[] }): string[] {
  const findings = new Set<string>();
  for (const statement of document.Statement ?? []) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of asArray(statement.Action))
      if (action.includes('*')) findings.add(`Action::${action}`);
    for (const resource of asArray(statement.Resource)) {
      const flat = flattenCfnReference(resource);
      if (flat.includes('*')) findings.add(`Resource::${flat}`);
    }
  }
  return [...findings];
}

/** Acknowledges the expected wildcard findings of every IAM policy under `scope`. */
export function acknowledgeGrantWildcards(scope: IConstruct, reasons: readonly WildcardReason[]): void {
  scope.node.addValidation({
    validate: () => {
      for (const node of scope.node.findAll()) {
        if (!(node instanceof CfnPolicy)) continue;
        const document = Stack.of(node).resolve(node.policyDocument);
        for (const finding of wildcardFindings(document)) {
          const known = reasons.find((candidate) => candidate.finding.test(finding));
          if (known)
            Validations.of(node).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: known.reason });
        }
      }
      return [];
    },
  });
}
