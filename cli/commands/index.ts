// Every command the CLI offers, in the order `--help` lists them.
import type { Command } from 'commander';
import { register as approve } from './approve.ts';
import { register as audit } from './audit.ts';
import { register as newMigration } from './new.ts';
import { register as reject } from './reject.ts';
import { register as start } from './start.ts';
import { register as watch } from './watch.ts';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [newMigration, start, watch, approve, reject, audit];
