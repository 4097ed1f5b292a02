// The text cdk-nag uses for a resource in an IAM5 finding id, so acknowledgements can name
// exactly the wildcard they accept.
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * How cdk-nag prints a resource in an IAM5 finding id: intrinsics become `<Ref>` and
 * `<LogicalId.Attribute>`, joins are flattened (e.g. `<BucketLogicalId.Arn>/backups/*`, or
 * `arn:<AWS::Partition>:s3:::name/backups/*` for an imported bucket). The same rules as cdk-nag's
 * flattenCfnReference, written out because cdk-nag is a dev dependency and the local runner
 * loads this construct at run time.
 */
export function nagResourceText(scope: Construct, resource: string): string {
  const render = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const intrinsic = value as { Ref?: string; 'Fn::GetAtt'?: string[]; 'Fn::Join'?: [string, unknown[]] };
    if (intrinsic.Ref !== undefined) return `<${intrinsic.Ref}>`;
    if (intrinsic['Fn::GetAtt'] !== undefined) return `<${intrinsic['Fn::GetAtt'].join('.')}>`;
    if (intrinsic['Fn::Join'] !== undefined)
      return intrinsic['Fn::Join'][1].map(render).join(intrinsic['Fn::Join'][0]);
    return JSON.stringify(value);
  };
  return render(Stack.of(scope).resolve(resource));
}
