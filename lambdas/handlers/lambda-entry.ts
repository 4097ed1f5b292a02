// The Lambda side of a step: build the AWS dependencies once per container, on the first
// invocation, with only the ports the step's entry file names (lambdas/functions/).
import { type AwsPorts, awsDependencies } from './aws/aws-dependencies.ts';
import type { StepHandler } from './middleware/step-handler.ts';
import type { StepDependencies } from './step-dependencies.ts';

export interface EntryOptions {
  /**
   * Started, not awaited, when a container's first invocation begins: the SQL parser of a
   * step that always parses, so its WebAssembly compiles (off the main thread) while the step
   * waits for its secret and the database, and not during the import, which it would slow for
   * the steps that never parse. A failure is left for the step's own call to report.
   */
  warmUp?(): Promise<void>;
}

export function lambdaEntry<E, R>(
  make: (deps: StepDependencies) => StepHandler<E, R>,
  ports: AwsPorts,
  options: EntryOptions = {},
): StepHandler<E, R> {
  let built: StepHandler<E, R> | undefined;
  let warmingUp = false;
  return async (event, context) => {
    if (!warmingUp) {
      warmingUp = true;
      options.warmUp?.().catch(() => undefined);
    }
    // A container whose dependencies failed to build tries again on its next invocation.
    built ??= make(awsDependencies(process.env, ports));
    return built(event, context);
  };
}
