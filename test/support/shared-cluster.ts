// What globalSetup hands to globalTeardown (same process) and to test workers (environment).
import os from 'node:os';
import path from 'node:path';

/** Environment variable holding the superuser URL of the server integration tests use. */
export const adminUrlVariable = 'STEPMIGRATE_TEST_ADMIN_URL';

export const sharedClusterKey = '__stepmigrateTestCluster';

export interface SharedCluster {
  url: string;
  stop(): Promise<void>;
}

/** Where project servers started during this run are recorded (one per jest main process). */
export function startedServersFile(): string {
  return path.join(os.tmpdir(), `stepmigrate-started-servers-${process.pid}`);
}
