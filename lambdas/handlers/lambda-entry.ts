// The Lambda side of a step: build the AWS dependencies once per container, on the first
// invocation (so importing a step module, as the local runner does, touches no AWS SDK).
import type { StepHandler } from './middleware/step-handler.ts';
import type { StepDependencies } from './step-dependencies.ts';

export function lambdaEntry<E, R>(make: (deps: StepDependencies) => StepHandler<E, R>): StepHandler<E, R> {
  let built: Promise<StepHandler<E, R>> | undefined;
  return async (event, context) => {
    built ??= import('./dependencies.ts')
      .then(({ awsDependencies }) => make(awsDependencies(process.env)))
      .catch((error: unknown) => {
        // A container whose dependencies failed to build must not stay broken forever.
        built = undefined;
        throw error;
      });
    return (await built)(event, context);
  };
}
