// The real engine behind the step handlers (tests inject their own EngineSteps). A Lambda
// entry file (lambdas/functions/) imports only its own step's functions instead, so its
// bundle holds only that part of the engine.
import { rollbackRun } from '../engine/rollback.ts';
import { applyPlanStep, releaseRun, validateRun, verifyRun } from '../engine/steps.ts';
import { backupRun, dataRestorer } from './backup-steps.ts';
import type { EngineSteps } from './step-dependencies.ts';

export const engineSteps: EngineSteps = {
  validateRun,
  applyPlanStep,
  verifyRun,
  rollbackRun,
  releaseRun,
  backupRun,
  dataRestorer,
};
