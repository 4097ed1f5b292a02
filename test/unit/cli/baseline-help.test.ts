import { describe, expect, it } from '@jest/globals';
import { buildProgram, commandNamed } from '../../../cli/main.ts';

describe('stepmigrate baseline --help', () => {
  it('is a listed command that explains what it records and when it refuses', async () => {
    const program = await buildProgram(commandNamed(['baseline']));
    expect(program.helpInformation()).toMatch(/baseline \[options\]/);
    const baseline = program.commands.find((command) => command.name() === 'baseline')!;
    const chunks: string[] = [];
    baseline.configureOutput({ writeOut: (chunk) => chunks.push(chunk) });
    baseline.outputHelp();
    const text = chunks.join('');
    expect(text).toContain('--version <version>');
    expect(text.replace(/\s+/g, ' ')).toContain(
      'record every migration up to --version as applied, without running any',
    );
    expect(text).toContain('Refused when the database has any history');
  });
});
