import { describe, expect, it } from '@jest/globals';
import { executionNameFor } from '../../../cli/aws/execution-name.ts';
import { explainAwsError } from '../../../cli/aws/explain-error.ts';
import { exitCodeForError, StepMigrateError } from '../../../lambdas/engine/errors.ts';
import { EXECUTION_ARN } from './fake-execution.ts';

function serviceError(name: string, message = name) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

const call = { action: 'states:DescribeExecution', resource: EXECUTION_ARN };

describe('explainAwsError', () => {
  it.each([
    ['ExecutionDoesNotExist', /no execution arn:aws:states:eu-west-1/],
    ['InvalidArn', /is not a valid Step Functions ARN/],
    ['AccessDeniedException', /not allowed: states:DescribeExecution on arn:aws:states/],
    ['ExpiredTokenException', /AWS refused the credentials/],
  ])('turns %s into one line that exits 2', (name, message) => {
    const explained = explainAwsError(serviceError(name), call) as StepMigrateError;

    expect(explained).toBeInstanceOf(StepMigrateError);
    expect(explained.message).toMatch(message);
    expect(explained.message).not.toContain('\n');
    expect(exitCodeForError(explained.name)).toBe(2);
    expect(explained.cause).toBeInstanceOf(Error);
  });

  it('explains a missing region and missing credentials', () => {
    expect(String(explainAwsError(new Error('Region is missing'), call))).toContain('pass --region');
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    expect(String(explainAwsError(noCredentials, call))).toContain('--profile');
  });

  it('names the host it could not reach', () => {
    const offline = Object.assign(new Error('getaddrinfo ENOTFOUND states.eu-west-1.amazonaws.com'), {
      code: 'ENOTFOUND',
      hostname: 'states.eu-west-1.amazonaws.com',
    });
    expect(String(explainAwsError(offline, call))).toContain(
      'could not reach AWS at states.eu-west-1.amazonaws.com (ENOTFOUND)',
    );
  });

  it('leaves errors that are not from AWS alone', () => {
    const bug = new TypeError('x is undefined');
    expect(explainAwsError(bug, call)).toBe(bug);
  });
});

describe('executionNameFor', () => {
  const at = new Date('2026-11-21T10:15:00Z');

  it('reads database, target and time', () => {
    expect(executionNameFor({ database: 'orders-prod', target: 'latest' }, at, 'ab12')).toBe(
      'orders-prod-latest-20261121T101500-ab12',
    );
  });

  it('stays within Step Functions name rules for any target and database', () => {
    const name = executionNameFor({ database: 'a'.repeat(63), target: '@v2.1:release' }, at, 'ab12');
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(name).toContain('-v2-1-release-20261121T101500-ab12');
  });
});
