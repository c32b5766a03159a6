// Gemini CLI (`gemini`, yargs parser). Flags checked against cli-samples/gemini-help.txt (0.61.0).
import { buildArgs } from './gemini-argv.ts';
import { geminiToolHome } from './gemini-tools.ts';
import { createGeminiParser } from './gemini-parser.ts';
import { geminiWarm } from './gemini-warm.ts';
import type { ParserOptions } from './jsonl.ts';
import type { BackendAdapter, OutputParser } from './types.ts';

export const gemini: BackendAdapter & { createParser(opts?: ParserOptions): OutputParser } = {
  name: 'gemini',
  binary: 'gemini',
  displayName: 'Gemini CLI',
  installHint: 'Install the Gemini CLI with `npm i -g @google/gemini-cli`, then run `gemini` once to authenticate.',
  loginHint: 'Run `gemini` once to authenticate (or set GEMINI_API_KEY).',
  versionArgs: ['--version'],
  buildArgs,
  attachments: { images: true, files: true },
  warm: geminiWarm,
  clientTools: true,
  clientToolsHome: geminiToolHome,
  createParser: (opts?: ParserOptions) => createGeminiParser(opts?.format ?? 'stream-json'),
  // Not allowed: --yolo/--approval-mode/--policy (approval), -o/--raw-output (output), --session-id,
  // --resume, -p/-i (prompt), --debug (opens a debug console).
  extraAllowList: {
    '--include-directories': 1,
    '-e': 1,
    '--extensions': 1,
    '--allowed-mcp-server-names': 1,
  },
};
