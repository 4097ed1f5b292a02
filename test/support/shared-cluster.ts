// What globalSetup hands to globalTeardown (same process) and to test workers (environment).

/** Environment variable holding the superuser URL of the server integration tests use. */
export const adminUrlVariable = 'STEPMIGRATE_TEST_ADMIN_URL';

export const sharedClusterKey = '__stepmigrateTestCluster';

export interface SharedCluster {
  url: string;
  stop(): Promise<void>;
}
