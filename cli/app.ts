// The clipanion CLI (dist/cli/app.mjs). main.ts loads it for everything its quick reader leaves
// alone, and it loads only the commands the arguments can reach: clipanion compiles one state machine
// over every registered command on each run, and importing and compiling all of them costs ~10 ms.
import { Builtins, Cli, type CommandClass } from 'clipanion';
import { CLINVK_VERSION } from '../runtime/version.ts';
import type { CommandWord } from './command-words.ts';

type Loader = () => Promise<CommandClass[]>;

/** Each command group by the first word of its path. */
const GROUPS: Record<CommandWord, Loader> = {
  resume: async () => [(await import('./commands/resume.ts')).ResumeCommand],
  sessions: async () => (await import('./commands/sessions.ts')).sessionCommands,
  config: async () => {
    const m = await import('./commands/config.ts');
    return [m.ConfigShowCommand, m.ConfigGetCommand, m.ConfigSetCommand];
  },
  parallel: async () => [(await import('./commands/orchestrate.ts')).ParallelCommand],
  compare: async () => [(await import('./commands/orchestrate.ts')).CompareCommand],
  chain: async () => [(await import('./commands/orchestrate.ts')).ChainCommand],
  serve: async () => [(await import('./commands/serve.ts')).ServeCommand],
  mcp: async () => [(await import('./commands/mcp.ts')).McpCommand],
  version: async () => [(await import('./commands/version.ts')).VersionCommand],
  doctor: async () => [(await import('./commands/doctor.ts')).DoctorCommand],
};
const prompt: Loader = async () => [(await import('./commands/prompt.ts')).PromptCommand];

/**
 * `clinvk help` alone shows the overview like `-h` (as git, gh and docker do) instead of sending
 * "help" to a backend; `clinvk help me with this` stays a prompt.
 */
class HelpWordCommand extends Builtins.HelpCommand {
  static override paths = [['help']];
}

/**
 * The commands `argv` can reach. A first word that names a group loads that group; a bare
 * `clinvk`, `--help`, `-h` or a lone `help` loads everything (the overview lists all commands);
 * anything else is a prompt, as it would be with every command registered (the prompt command is
 * the default).
 */
export async function commandsFor(argv: string[]): Promise<CommandClass[]> {
  const head = argv[0];
  if (head === undefined || head === '-h' || head === '--help' || (head === 'help' && argv.length === 1)) {
    const all = await Promise.all([prompt(), ...Object.values(GROUPS).map((load) => load())]);
    return [...all.flat(), Builtins.HelpCommand, HelpWordCommand, Builtins.VersionCommand];
  }
  const group = Object.hasOwn(GROUPS, head) ? GROUPS[head as CommandWord] : undefined;
  // `-h`/`-v` as the first word are clipanion's builtins; after a command word each command's own
  // `--help` answers, so a group needs neither (one less thing in the state machine).
  return group ? group() : [...(await prompt()), Builtins.HelpCommand, Builtins.VersionCommand];
}

export function createCli(colors: boolean, commands: CommandClass[]): Cli {
  const cli = new Cli({ binaryLabel: 'clinvk — one gateway to the AI coding CLIs', binaryName: 'clinvk', binaryVersion: CLINVK_VERSION, enableColors: colors });
  for (const c of commands) cli.register(c);
  return cli;
}

export async function runCli(argv: string[]): Promise<number> {
  return createCli(!!process.stdout.isTTY, await commandsFor(argv)).run(argv, Cli.defaultContext);
}
