// cli/app.ts registers only the commands an argv can reach (start-up time); this pins which.
import { describe, expect, it } from 'vitest';
import { commandsFor } from '../../../cli/app.ts';

const paths = async (argv: string[]) => (await commandsFor(argv)).flatMap((c) => (c.paths ?? [[]]).map((p) => p.join(' ')));

describe('commandsFor', () => {
  it('a prompt loads only the prompt command', async () => {
    const promptOnly = ['', '-h', '--help', '-v', '--version']; // plus clipanion's help and version builtins
    expect(await paths(['-b', 'claude', 'hi'])).toEqual(promptOnly);
    expect(await paths(['explain', 'this'])).toEqual(promptOnly);
    expect(await paths(['constructor'])).toEqual(promptOnly); // not a prototype key mistaken for a group
  });

  it('a command word loads its group', async () => {
    expect(await paths(['sessions', 'list'])).toEqual(['sessions list', 'sessions ls', 'sessions show', 'sessions delete', 'sessions rm', 'sessions clean']);
    expect(await paths(['config', 'get', 'x'])).toEqual(['config show', 'config get', 'config set']);
    expect(await paths(['serve'])).toEqual(['serve']);
  });

  it('no arguments, --help, -h or a lone help load every command for the overview', async () => {
    for (const argv of [[], ['--help'], ['-h'], ['help']]) {
      const all = await paths(argv);
      expect(all).toEqual(expect.arrayContaining(['', 'help', 'resume', 'sessions list', 'config set', 'parallel', 'compare', 'chain', 'serve', 'mcp', 'version']));
    }
    // A prompt that starts with "help" stays a prompt.
    expect(await paths(['help', 'me', 'fix', 'this'])).not.toContain('help');
  });
});
