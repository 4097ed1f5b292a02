// Every step's handler bound to one set of dependencies: the local runner uses this; each
// Lambda entry file builds only its own.

import type { StepFunctionName } from '../../infra/workflow-states.ts';
import { makeApplyHandler } from './apply.ts';
import { makeApprovalHandler } from './approval.ts';
import { makeBackupHandler } from './backup.ts';
import { makeBakeHandler } from './bake.ts';
import type { StepHandler } from './middleware/step-handler.ts';
import { makeReportHandler } from './report.ts';
import { makeRollbackHandler } from './rollback.ts';
import type { StepDependencies } from './step-dependencies.ts';
import { makeValidateHandler } from './validate.ts';
import { makeVerifyHandler } from './verify.ts';

export type StepHandlers = Record<StepFunctionName, StepHandler<never, unknown>>;

export function createHandlers(deps: StepDependencies): StepHandlers {
  return {
    validate: makeValidateHandler(deps),
    approval: makeApprovalHandler(deps),
    backup: makeBackupHandler(deps),
    apply: makeApplyHandler(deps),
    verify: makeVerifyHandler(deps),
    bake: makeBakeHandler(deps),
    rollback: makeRollbackHandler(deps),
    report: makeReportHandler(deps),
  };
}
