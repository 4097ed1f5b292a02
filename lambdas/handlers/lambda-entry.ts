// The Lambda side of a step: build the AWS dependencies once per container, on the first
// invocation, with only the ports the step's entry file names (lambdas/functions/).
import { type AwsPorts, awsDependencies } from './aws/aws-dependencies.ts';
import type { StepHandler } from './middleware/step-handler.ts';
import type { StepDependencies } from './step-dependencies.ts';

export function lambdaEntry<E, R>(
  make: (deps: StepDependencies) => StepHandler<E, R>,
  ports: AwsPorts,
): StepHandler<E, R> {
  let built: StepHandler<E, R> | undefined;
  return async (event, context) => {
    // A container whose dependencies failed to build tries again on its next invocation.
    built ??= make(awsDependencies(process.env, ports));
    return built(event, context);
  };
}
