// Stands in for asl-validator inside the compiled CLI's copy of aws-local-stepfunctions: the
// local runner turns the emulator's validation off (`noValidate`, cli/local-runner/execute.ts)
// because test/infra validates the synthesized definition with the real asl-validator.
import { NeverCalledError } from './never-called.ts';

export default function aslValidator(): never {
  throw new NeverCalledError('asl-validator');
}
