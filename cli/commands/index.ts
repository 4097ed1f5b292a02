// Every command the CLI offers, in the order `--help` lists them.
import type { Command } from 'commander';
import { register as approve } from './approve.ts';
import { register as audit } from './audit.ts';
import { register as backups } from './backups.ts';
import { register as baseline } from './baseline.ts';
import { register as check } from './check.ts';
import { register as db } from './db.ts';
import { register as graph } from './graph.ts';
import { register as lint } from './lint.ts';
import { register as newMigration } from './new.ts';
import { register as plan } from './plan.ts';
import { register as reject } from './reject.ts';
import { register as repair } from './repair.ts';
import { register as restore } from './restore.ts';
import { register as rollback } from './rollback.ts';
import { register as run } from './run.ts';
import { register as start } from './start.ts';
import { register as status } from './status.ts';
import { register as watch } from './watch.ts';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  newMigration,
  lint,
  check,
  plan,
  run,
  rollback,
  status,
  repair,
  baseline,
  start,
  watch,
  approve,
  reject,
  audit,
  restore,
  backups,
  graph,
  db,
];
