// The top-level help lists every command from cli/commands/index.ts without loading it:
// each summary there must be the command's own description, and every command file listed.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Command } from 'commander';
import { commands } from '../../../cli/commands/index.ts';
import { buildProgram, commandNamed } from '../../../cli/main.ts';

describe('the command table', () => {
  it('lists every command file once', async () => {
    const files = (await readdir(join(process.cwd(), 'cli', 'commands')))
      .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
      .map((file) => file.replace(/\.ts$/, ''));
    expect(commands.map((entry) => entry.name).sort()).toEqual(files.sort());
  });

  it.each(commands.map((entry) => [entry.name, entry] as const))(
    '%s: summary is its description',
    async (_name, entry) => {
      const program = new Command();
      (await entry.load()).register(program);
      const registered = program.commands.find((command) => command.name() === entry.name);
      expect(registered?.description()).toBe(entry.summary);
    },
  );

  it('builds only the command named, with its real options', async () => {
    const program = await buildProgram(commandNamed(['status', '--json']));
    const status = program.commands.find((command) => command.name() === 'status');
    const run = program.commands.find((command) => command.name() === 'run');
    expect(status?.options.map((option) => option.long)).toContain('--database-url');
    expect(run?.options).toEqual([]);
    expect(commandNamed(['help', 'rollback'])?.name).toBe('rollback');
    expect(commandNamed(['--help'])).toBeUndefined();
  });
});
