// jest globalSetup of the integration project: one PostgreSQL server for the whole run.
// Uses TEST_DATABASE_URL when set; otherwise starts a throw-away embedded cluster. Workers
// inherit the environment set here and create their own databases on that server
// (test/support/database.ts).
import {
  startedServersVariable,
  startTemporaryCluster,
  sweepAbandonedClusters,
} from '../../cli/local/embedded-postgres.ts';
import {
  adminUrlVariable,
  type SharedCluster,
  sharedClusterKey,
  startedServersFile,
} from './shared-cluster.ts';

export default async function globalSetup(): Promise<void> {
  // CLI end-to-end tests may start embedded servers in temporary projects; teardown stops them.
  process.env[startedServersVariable] = startedServersFile();
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    process.env[adminUrlVariable] = given;
    return;
  }
  // A run killed before its teardown leaves a server behind; the next run cleans it up.
  await sweepAbandonedClusters();
  const cluster = await startTemporaryCluster();
  process.env[adminUrlVariable] = cluster.url;
  (globalThis as Record<string, unknown>)[sharedClusterKey] = cluster satisfies SharedCluster;
}
