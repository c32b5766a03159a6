// The clipanion CLI with every command registered. Loaded by main.ts only when a command runs.
import { Builtins, Cli } from 'clipanion';
import { CLINVK_VERSION } from '../runtime/version.ts';
import { ConfigGetCommand, ConfigSetCommand, ConfigShowCommand } from './commands/config.ts';
import { McpCommand } from './commands/mcp.ts';
import { ChainCommand, CompareCommand, ParallelCommand } from './commands/orchestrate.ts';
import { PromptCommand } from './commands/prompt.ts';
import { ResumeCommand } from './commands/resume.ts';
import { ServeCommand } from './commands/serve.ts';
import { sessionCommands } from './commands/sessions.ts';
import { VersionCommand } from './commands/version.ts';

export function createCli(colors: boolean): Cli {
  const cli = new Cli({ binaryLabel: 'clinvk — one gateway to the AI coding CLIs', binaryName: 'clinvk', binaryVersion: CLINVK_VERSION, enableColors: colors });
  const commands = [
    PromptCommand,
    ResumeCommand,
    ...sessionCommands,
    ConfigShowCommand,
    ConfigGetCommand,
    ConfigSetCommand,
    ParallelCommand,
    CompareCommand,
    ChainCommand,
    ServeCommand,
    McpCommand,
    VersionCommand,
    Builtins.HelpCommand,
    Builtins.VersionCommand,
  ];
  for (const c of commands) cli.register(c);
  return cli;
}

export async function runCli(argv: string[]): Promise<number> {
  return createCli(!!process.stdout.isTTY).run(argv, Cli.defaultContext);
}
