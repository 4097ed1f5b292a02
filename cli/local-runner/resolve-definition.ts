// A synthesized state machine's DefinitionString is a CloudFormation expression: an
// Fn::Join of text, `Ref AWS::Partition` and `Fn::GetAtt [<LogicalId>, Arn]` of the step
// functions. Locally there is no CloudFormation; this turns it into plain ASL, giving each
// function an ARN that names its logical id so it can be mapped back to its step.
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

const LAMBDA_ARN_PREFIX = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:`;

export function localFunctionArn(logicalId: string): string {
  return `${LAMBDA_ARN_PREFIX}${logicalId}`;
}

/** The logical id inside an ARN made by localFunctionArn, or undefined for any other value. */
export function logicalIdOfArn(arn: unknown): string | undefined {
  return typeof arn === 'string' && arn.startsWith(LAMBDA_ARN_PREFIX)
    ? arn.slice(LAMBDA_ARN_PREFIX.length)
    : undefined;
}

function describe(value: unknown): string {
  return JSON.stringify(value).slice(0, 120);
}

/** Resolves the intrinsics a state machine definition uses into a string. */
export function resolveIntrinsic(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null)
    throw new Error(`cannot resolve ${describe(value)} in the definition`);
  const [[fn, args], ...rest] = Object.entries(value);
  if (rest.length > 0) throw new Error(`expected one intrinsic function, got ${describe(value)}`);
  if (fn === 'Fn::Join' && Array.isArray(args) && typeof args[0] === 'string' && Array.isArray(args[1])) {
    return args[1].map(resolveIntrinsic).join(args[0]);
  }
  if (fn === 'Ref' && typeof args === 'string' && args in PSEUDO_PARAMETERS)
    return PSEUDO_PARAMETERS[args] as string;
  if (fn === 'Fn::GetAtt' && Array.isArray(args) && args[1] === 'Arn' && typeof args[0] === 'string') {
    return localFunctionArn(args[0]);
  }
  throw new Error(
    `the local runner cannot resolve ${describe(value)} in the state machine definition; only Fn::Join, Ref to pseudo parameters and Fn::GetAtt Arn are supported`,
  );
}

/** DefinitionString (a string, or an Fn::Join expression) → the ASL object. */
export function resolveDefinition(definitionString: unknown): AslDefinition {
  return JSON.parse(resolveIntrinsic(definitionString)) as AslDefinition;
}

export interface AslState {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  ItemProcessor?: AslDefinition;
  Iterator?: AslDefinition;
  Branches?: AslDefinition[];
  [field: string]: unknown;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [field: string]: unknown;
}

/** Every state, including those inside Map and Parallel states, with its name. */
export function allStates(definition: AslDefinition): Array<[string, AslState]> {
  return Object.entries(definition.States).flatMap(([name, state]) => {
    const nested = [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])].filter(
      (d): d is AslDefinition => d !== undefined,
    );
    return [[name, state] as [string, AslState], ...nested.flatMap(allStates)];
  });
}
