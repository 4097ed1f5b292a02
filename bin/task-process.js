#!/usr/bin/env node
// Not a command for users: the process a local run starts for a task-runner state
// (cli/local-runner/task-runner.ts), loaded like bin/stepmigrate.js — compiled when the build
// in dist/ is up to date, the TypeScript through tsx otherwise.
const { loadEntry } = await import('../cli-build/launch.js');
await loadEntry('task-process-main', 'cli/local-runner/task-process-main.ts');
