// Bake: look at the watched alarms; the workflow waits and calls again until the bake
// time is up. An alarm in ALARM fails the run (and sends it to Rollback).
import { BakeAlarmError } from '../engine/errors.ts';
import type { BakeProgress, StateEvent } from './events.ts';
import { stepHandler } from './middleware/step-handler.ts';
import type { StepDependencies } from './step-dependencies.ts';

/** Longest the workflow waits before looking at the alarms again. */
export const BAKE_POLL_SECONDS = 30;

export function makeBakeHandler(deps: StepDependencies) {
  const now = deps.now ?? (() => new Date());
  return stepHandler<StateEvent, BakeProgress>('Bake', deps, async ({ state }) => {
    const bakeSeconds = state.run?.input.bakeSeconds ?? 0;
    const startedAt = state.bake?.startedAt ?? now().toISOString();
    const inAlarm = await deps.alarms.alarmsInAlarm(deps.bakeAlarmNames);
    if (inAlarm.length > 0) {
      throw new BakeAlarmError(
        `alarm ${inAlarm.join(', ')} went into ALARM while baking ${state.run?.database ?? deps.database} — the run is rolled back; look at the alarm before trying again`,
      );
    }
    const remainingSeconds = bakeSeconds - (now().getTime() - Date.parse(startedAt)) / 1000;
    return {
      startedAt,
      checks: (state.bake?.checks ?? 0) + 1,
      done: remainingSeconds <= 0,
      waitSeconds: Math.min(BAKE_POLL_SECONDS, Math.max(1, Math.ceil(remainingSeconds))),
    };
  });
}
