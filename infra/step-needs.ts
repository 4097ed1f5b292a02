// What each step's Lambda may touch. This table IS the least-privilege design: a step gets
// a permission only if its row asks for it (DESIGN §1.3, §3 "Least privilege").
import { Duration } from 'aws-cdk-lib';
import type { StepFunctionName } from './workflow-states.ts';

export interface StepNeeds {
  /** Reads the database secret and runs inside the VPC. */
  readonly database: boolean;
  /**
   * The per-database lease: Validate takes it, Apply renews it before each migration (so a
   * long approval wait cannot leave it expired unnoticed), Report gives it back.
   */
  readonly lease?: 'take' | 'release';
  /** Writes backups (only Backup) or reads them back (Rollback). */
  readonly backup?: 'write' | 'read';
  /** cloudwatch:DescribeAlarms on the configured bake alarms. */
  readonly readAlarms?: boolean;
  /** Queries the audit records of its own execution (Report builds the run output from them). */
  readonly readAudit?: boolean;
  /** sns:Publish of approval requests. */
  readonly publishApproval?: boolean;
  readonly timeout: Duration;
  readonly memorySize: number;
}

// Apply, Verify, Backup and Rollback get the Lambda maximum: a statement may legitimately
// run up to statement_timeout (15 minutes by default).
export const STEP_NEEDS: Readonly<Record<StepFunctionName, StepNeeds>> = {
  validate: { database: true, lease: 'take', timeout: Duration.minutes(5), memorySize: 1024 },
  approval: { database: false, publishApproval: true, timeout: Duration.seconds(30), memorySize: 256 },
  // gzip is CPU-bound: 1769 MB is one full vCPU.
  backup: { database: true, backup: 'write', timeout: Duration.minutes(15), memorySize: 1769 },
  apply: { database: true, lease: 'take', timeout: Duration.minutes(15), memorySize: 512 },
  verify: { database: true, timeout: Duration.minutes(15), memorySize: 512 },
  bake: { database: false, readAlarms: true, timeout: Duration.minutes(1), memorySize: 256 },
  rollback: { database: true, backup: 'read', timeout: Duration.minutes(15), memorySize: 1769 },
  report: {
    database: false,
    lease: 'release',
    readAudit: true,
    timeout: Duration.minutes(1),
    memorySize: 256,
  },
};
