// Stands in for @aws-sdk/client-lambda inside the compiled CLI's copy of aws-local-stepfunctions,
// which imports it to call a Task state's Lambda when the state has no local handler. The
// local runner binds every Task state to a handler (cli/local-runner/execute.ts), so nothing
// here is ever constructed; if it were, the run fails with this message instead of calling AWS.
import { NeverCalledError } from './never-called.ts';

export class LambdaClient {
  constructor() {
    throw new NeverCalledError('@aws-sdk/client-lambda');
  }
}

export class InvokeCommand {
  constructor() {
    throw new NeverCalledError('@aws-sdk/client-lambda');
  }
}
