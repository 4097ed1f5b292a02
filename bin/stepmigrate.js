#!/usr/bin/env node
// Entry point for `npx stepmigrate`: runs the TypeScript CLI through tsx, so there is no build step.
import { register } from 'tsx/esm/api';

// `stepmigrate audit | head` closes our stdout early: that is the reader's choice, not a failure.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
