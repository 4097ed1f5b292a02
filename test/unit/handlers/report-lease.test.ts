// Report gives the lease back however the run ended, also when Validate failed and left no
// run in the state (a Validate result too large for the state is caught after the lease was
// taken): then it releases this execution's lease on the workflow's database.
import { describe, expect, it } from '@jest/globals';
import { makeReportHandler } from '../../../lambdas/handlers/report.ts';
import { fakeDependencies, runStateFor } from './fake-dependencies.ts';

function reportWithRecordedReleases() {
  const fake = fakeDependencies();
  const released: Array<{ database: string; executionId: string }> = [];
  fake.deps.steps = {
    ...fake.deps.steps,
    releaseRun: async (_ctx, run) => {
      released.push({ database: run.database, executionId: run.executionId });
    },
  };
  return { handler: makeReportHandler(fake.deps), released };
}

describe('Report and the lease', () => {
  it("releases this execution's lease when Validate left no run in the state", async () => {
    const { handler, released } = reportWithRecordedReleases();

    const output = await handler({
      executionId: 'exec-too-big',
      state: {
        Error: 'States.DataLimitExceeded',
        Cause: 'The state/task returned a result with a size exceeding 256 KiB',
      },
      executionInput: {},
    } as never);

    expect(released).toEqual([{ database: 'fake', executionId: 'exec-too-big' }]);
    expect(output).toMatchObject({ status: 'failed', error: { name: 'States.DataLimitExceeded' } });
  });

  it("releases the run's own lease when there is a run", async () => {
    const { handler, released } = reportWithRecordedReleases();
    const run = runStateFor('exec-ok', {}, {});

    await handler({ executionId: 'exec-ok', state: { run }, executionInput: {} } as never);

    expect(released).toEqual([{ database: run.database, executionId: 'exec-ok' }]);
  });
});
