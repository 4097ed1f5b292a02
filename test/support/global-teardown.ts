// jest globalTeardown of the integration project: stops the cluster globalSetup started.
import { type SharedCluster, sharedClusterKey } from './shared-cluster.ts';

export default async function globalTeardown(): Promise<void> {
  const cluster = (globalThis as Record<string, unknown>)[sharedClusterKey] as SharedCluster | undefined;
  if (!cluster) return;
  delete (globalThis as Record<string, unknown>)[sharedClusterKey];
  await cluster.stop();
}
