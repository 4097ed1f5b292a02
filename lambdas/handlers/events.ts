// What each step's Lambda receives and returns: the `Payload` objects the workflow
// definition (infra/workflow-definition.ts) builds from the execution state.
import type { PlanStep } from '../engine/model.ts';
import type { AppliedStep, BackupSummary, RunState } from '../engine/run-state.ts';

/** A failure as a Catch records it: `Error` is the error's name, `Cause` its message (or, on AWS, a JSON error). */
export interface CaughtError {
  Error: string;
  Cause?: string;
}

export interface BakeProgress {
  startedAt: string;
  checks: number;
  done: boolean;
  waitSeconds: number;
}

/** The execution state between steps (see the layout at the top of workflow-definition.ts). */
export interface WorkflowState {
  run?: RunState;
  backup?: BackupSummary;
  applied?: AppliedStep[];
  verify?: { verified: string[] };
  bake?: BakeProgress;
  error?: CaughtError;
  rollback?: { rolledBack: string[] };
  rollbackError?: CaughtError;
  /** Set instead of everything else when Validate failed (its Catch replaces the state). */
  Error?: string;
  Cause?: string;
}

export interface ValidateEvent {
  executionId: string;
  input: unknown;
}

export interface ApprovalEvent {
  executionId: string;
  taskToken: string;
  run: RunState;
}

/** Backup and Verify. */
export interface RunEvent {
  executionId: string;
  run: RunState;
}

export interface ApplyEvent {
  executionId: string;
  run: RunState;
  step: PlanStep;
}

/** Bake and Rollback look at the whole state. */
export interface StateEvent {
  executionId: string;
  state: WorkflowState;
}

export interface ReportEvent extends StateEvent {
  executionInput: unknown;
}

/** Any step's event: the middleware reads the fields common to them. */
export type StepEvent = Partial<ValidateEvent & ApprovalEvent & ApplyEvent & ReportEvent>;
