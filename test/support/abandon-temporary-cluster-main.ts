// Starts a temporary cluster and exits without stopping it, as a killed test run would;
// prints the cluster's directory. Used to test that the next run sweeps it away.
import { startTemporaryCluster } from '../../cli/local/embedded-postgres.ts';

const cluster = await startTemporaryCluster();
process.stdout.write(`${cluster.dir}\n`);
process.exit(0);
