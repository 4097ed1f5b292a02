// jest globalTeardown of the integration project: stops the cluster globalSetup started,
// and any project server a test started through the CLI, so no postgres outlives the run.
import { rm } from 'node:fs/promises';
import { stopRecordedServers } from '../../cli/local/embedded-postgres.ts';
import { type SharedCluster, sharedClusterKey, startedServersFile } from './shared-cluster.ts';

export default async function globalTeardown(): Promise<void> {
  const recorded = startedServersFile();
  await stopRecordedServers(recorded);
  await rm(recorded, { force: true });
  const cluster = (globalThis as Record<string, unknown>)[sharedClusterKey] as SharedCluster | undefined;
  if (!cluster) return;
  delete (globalThis as Record<string, unknown>)[sharedClusterKey];
  await cluster.stop();
}
