// The engine functions of one Lambda: its entry file names them, and anything else is refused.
import type { EngineSteps } from '../step-dependencies.ts';

/** The engine functions one step uses; calling any other is a wiring mistake and says so. */
export function onlySteps(steps: Partial<EngineSteps>): EngineSteps {
  return new Proxy(steps as EngineSteps, {
    get: (target, property) => {
      const step = target[property as keyof EngineSteps];
      if (step !== undefined || typeof property !== 'string') return step;
      return () => {
        throw new Error(
          `this Lambda was not bundled with the engine's ${property}: add it to its entry file`,
        );
      };
    },
  });
}
