// At the Lambda deadline, which work the task runner may take over: only work the cancel left
// with nothing half-done. A Backup changes nothing in the database (its next attempt replaces
// what it wrote); an Apply section inside a transaction was rolled back by the cancel. A
// section outside a transaction may have run some of its statements: it stays dirty and goes
// to Rollback, as before.
import type { StepName } from '../../ports.ts';
import type { StepEvent } from '../events.ts';
import type { StepDependencies } from '../step-dependencies.ts';

export async function handsOverAtDeadline(
  step: StepName,
  event: StepEvent,
  deps: Pick<StepDependencies, 'engine'>,
): Promise<boolean> {
  if (step === 'Backup') return true;
  if (step !== 'Apply' || !event.step) return false;
  const { version, direction } = event.step;
  const { migrations } = await deps.engine();
  const migration = migrations.migrations.find((m) => m.version === version);
  const section = direction === 'up' ? migration?.up : migration?.down;
  return section?.transaction === true;
}
