// Stands in for @aws-sdk/credential-providers inside the compiled CLI's copy of
// aws-local-stepfunctions (see lambda-client.ts): it only serves the Lambda client.
import { NeverCalledError } from './never-called.ts';

export function fromCognitoIdentityPool(): never {
  throw new NeverCalledError('@aws-sdk/credential-providers');
}
