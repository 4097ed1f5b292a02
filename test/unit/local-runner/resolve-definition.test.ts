// Turning a synthesized DefinitionString (CloudFormation intrinsics) into plain ASL, and
// mapping each Task state back to the step whose function it invokes.
import { describe, expect, it } from '@jest/globals';
import {
  localFunctionArn,
  logicalIdOfArn,
  resolveDefinition,
  resolveIntrinsic,
} from '../../../cli/local-runner/resolve-definition.ts';
import { taskStepsOf } from '../../../cli/local-runner/task-steps.ts';

const synthesized = {
  'Fn::Join': [
    '',
    [
      '{"StartAt":"Validate","States":{"Validate":{"Type":"Task","Resource":"arn:',
      { Ref: 'AWS::Partition' },
      ':states:::lambda:invoke","Parameters":{"FunctionName":"',
      { 'Fn::GetAtt': ['ValidateFn1234', 'Arn'] },
      '","Payload.$":"$"},"End":true}}}',
    ],
  ],
};

describe('resolveDefinition', () => {
  it('resolves Fn::Join, the partition and function ARNs into plain ASL', () => {
    const definition = resolveDefinition(synthesized);
    expect(definition.States.Validate?.Resource).toBe('arn:aws:states:::lambda:invoke');
    expect(definition.States.Validate?.Parameters?.FunctionName).toBe(localFunctionArn('ValidateFn1234'));
  });

  it('passes a plain definition string through', () => {
    expect(resolveDefinition('{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}').StartAt).toBe('A');
  });

  it('names an intrinsic it cannot resolve instead of running a broken definition', () => {
    expect(() => resolveIntrinsic({ 'Fn::ImportValue': 'SharedTopic' })).toThrow(
      /Fn::ImportValue.*SharedTopic/,
    );
    expect(() => resolveIntrinsic({ Ref: 'MyBucket' })).toThrow(/cannot resolve/);
    expect(() => resolveIntrinsic({ 'Fn::GetAtt': ['Table', 'StreamArn'] })).toThrow(/StreamArn/);
  });

  it('reads the logical id back from a local function ARN only', () => {
    expect(logicalIdOfArn(localFunctionArn('ApplyFnAB12'))).toBe('ApplyFnAB12');
    expect(logicalIdOfArn('arn:aws:lambda:eu-west-1:123456789012:function:other')).toBeUndefined();
    expect(logicalIdOfArn(undefined)).toBeUndefined();
  });
});

describe('taskStepsOf', () => {
  const definition = resolveDefinition(synthesized);

  it('maps each Task state to the step of the function it invokes', () => {
    expect(taskStepsOf(definition, new Map([['ValidateFn1234', 'validate']]))).toEqual({
      Validate: 'validate',
    });
  });

  it('refuses a definition whose state invokes another step’s function', () => {
    expect(() => taskStepsOf(definition, new Map([['ValidateFn1234', 'apply']]))).toThrow(
      'Task state Validate invokes the apply function, expected validate',
    );
  });

  it('refuses a Task state that invokes no step function', () => {
    expect(() => taskStepsOf(definition, new Map())).toThrow(/Validate does not invoke/);
  });
});
