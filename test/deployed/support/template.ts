// Reads a synthesized template the way CloudFormation would deploy it, with local names:
// every Ref and Fn::GetAtt a step function's environment or policy uses resolves to the
// physical name or ARN the local stand-ins answer to.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  localFunctionArn,
} from '../../../cli/local-runner/resolve-definition.ts';

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}
export interface Template {
  Resources: Record<string, CfnResource>;
}

export interface PolicyStatement {
  effect: 'Allow' | 'Deny';
  actions: string[];
  resources: string[];
  conditions?: Record<string, unknown>;
}

export interface DeployedFunction {
  logicalId: string;
  /** The asset directory in cdk.out that CloudFormation would upload. */
  assetDir: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memorySize: number;
  statements: PolicyStatement[];
}

const ARN = `${LOCAL_REGION}:${LOCAL_ACCOUNT}`;
const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'StepMigrate',
};

export class TemplateResolver {
  constructor(readonly template: Template) {}

  type(logicalId: string): string {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new Error(`the template has no resource ${logicalId}`);
    return resource.Type;
  }

  /** What `Ref` gives for a resource, with local names. */
  ref(logicalId: string): string {
    if (logicalId in PSEUDO) return PSEUDO[logicalId] as string;
    const type = this.type(logicalId);
    switch (type) {
      case 'AWS::S3::Bucket':
        return logicalId.toLowerCase();
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${ARN}:${logicalId}`;
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${ARN}:secret:${logicalId}-AbCdEf`;
      case 'AWS::SecretsManager::SecretTargetAttachment':
        return this.resolve(this.template.Resources[logicalId]?.Properties?.SecretId);
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${ARN}:stateMachine:${logicalId}`;
      case 'AWS::ECS::TaskDefinition':
        return this.arn(logicalId);
      default:
        return logicalId;
    }
  }

  arn(logicalId: string): string {
    const type = this.type(logicalId);
    switch (type) {
      case 'AWS::DynamoDB::Table':
        return `arn:aws:dynamodb:${ARN}:table/${logicalId}`;
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${logicalId.toLowerCase()}`;
      case 'AWS::KMS::Key':
        return `arn:aws:kms:${ARN}:key/${logicalId}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${ARN}:log-group:${logicalId}:*`;
      case 'AWS::Lambda::Function':
        return localFunctionArn(logicalId);
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${LOCAL_ACCOUNT}:role/${logicalId}`;
      case 'AWS::ECS::Cluster':
        return `arn:aws:ecs:${ARN}:cluster/${logicalId}`;
      case 'AWS::ECS::TaskDefinition':
        return `arn:aws:ecs:${ARN}:task-definition/${logicalId}:1`;
      case 'AWS::SNS::Topic':
      case 'AWS::SecretsManager::Secret':
      case 'AWS::StepFunctions::StateMachine':
        return this.ref(logicalId);
      default: {
        // Resources no step calls in this suite (the notifier's queue, the task runner's
        // log groups): an ARN of their service that names them is enough for the IAM check.
        const service = /^AWS::([A-Za-z0-9]+)::/.exec(type)?.[1];
        if (!service) throw new Error(`no local ARN for ${logicalId} (${type})`);
        return `arn:aws:${service.toLowerCase()}:${ARN}:${logicalId}`;
      }
    }
  }

  resolve(value: unknown): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value !== 'object' || value === null)
      throw new Error(`cannot resolve ${JSON.stringify(value)}`);
    const [[fn, args]] = Object.entries(value) as [[string, unknown]];
    if (fn === 'Ref') return this.ref(args as string);
    if (fn === 'Fn::GetAtt') {
      const [id, attribute] = args as [string, string];
      if (attribute === 'Arn') return this.arn(id);
      // Network ids the task runner's states name: nothing local connects to them.
      if (attribute === 'GroupId') return `sg-${id.toLowerCase()}`;
      if (attribute === 'Name' && this.type(id) === 'AWS::StepFunctions::StateMachine') return id;
      throw new Error(`cannot resolve Fn::GetAtt ${id}.${attribute}`);
    }
    if (fn === 'Fn::Join') {
      const [separator, parts] = args as [string, unknown[]];
      return parts.map((part) => this.resolve(part)).join(separator);
    }
    if (fn === 'Fn::Sub' && typeof args === 'string') {
      return args.replace(/\$\{([^}]+)\}/g, (_m, name: string) =>
        name.endsWith('.Arn') ? this.arn(name.slice(0, -4)) : this.ref(name),
      );
    }
    throw new Error(`cannot resolve ${JSON.stringify(value).slice(0, 200)}`);
  }

  resourcesOfType(type: string): Array<[string, Record<string, unknown>]> {
    return Object.entries(this.template.Resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([id, resource]) => [id, resource.Properties ?? {}]);
  }

  /** Every statement of every policy attached to the role. */
  roleStatements(roleLogicalId: string): PolicyStatement[] {
    const statements: PolicyStatement[] = [];
    for (const [, policy] of this.resourcesOfType('AWS::IAM::Policy')) {
      const roles = (policy.Roles as unknown[]).map((role) => this.resolve(role));
      if (!roles.includes(roleLogicalId)) continue;
      const document = policy.PolicyDocument as { Statement: Record<string, unknown>[] };
      for (const statement of document.Statement) {
        const list = (value: unknown) => (Array.isArray(value) ? value : [value]);
        statements.push({
          effect: statement.Effect as 'Allow' | 'Deny',
          actions: list(statement.Action).map(String),
          resources: list(statement.Resource).map((resource) => this.resolve(resource)),
          conditions: statement.Condition as Record<string, unknown> | undefined,
        });
      }
    }
    return statements;
  }
}

/** The step functions of the template, each with its asset, environment, timeout and policy. */
export function deployedFunctions(resolver: TemplateResolver, outdir: string): Map<string, DeployedFunction> {
  const functions = new Map<string, DeployedFunction>();
  for (const [logicalId, properties] of resolver.resourcesOfType('AWS::Lambda::Function')) {
    const environment = (properties.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables;
    if (!environment?.STEPMIGRATE_DATABASE) continue; // CDK's own custom-resource handlers
    const key = String((properties.Code as { S3Key: unknown }).S3Key).replace(/\.zip$/, '');
    const role = (properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    functions.set(logicalId, {
      logicalId,
      assetDir: join(outdir, `asset.${key}`),
      environment: Object.fromEntries(
        Object.entries(environment).map(([name, value]) => [name, resolver.resolve(value)]),
      ),
      timeoutSeconds: Number(properties.Timeout ?? 3),
      memorySize: Number(properties.MemorySize ?? 128),
      statements: resolver.roleStatements(role),
    });
  }
  return functions;
}

export async function readTemplate(outdir: string, stack = 'StepMigrate'): Promise<Template> {
  return JSON.parse(await readFile(join(outdir, `${stack}.template.json`), 'utf8')) as Template;
}
