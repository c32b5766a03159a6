// Claude Code (`claude`, commander parser). Flags checked against cli-samples/claude-help.txt (2.1.330).
import { buildArgs } from './claude-argv.ts';
import { createClaudeParser } from './claude-parser.ts';
import { claudeWarm } from './claude-warm.ts';
import type { ParserOptions } from './jsonl.ts';
import type { BackendAdapter, OutputParser } from './types.ts';

export const claude: BackendAdapter & { createParser(opts?: ParserOptions): OutputParser } = {
  name: 'claude',
  binary: 'claude',
  displayName: 'Claude Code',
  installHint: 'Install Claude Code with `npm i -g @anthropic-ai/claude-code`, then run `claude` once and log in.',
  loginHint: 'Run `claude` once and log in (or set ANTHROPIC_API_KEY).',
  versionArgs: ['--version'],
  buildArgs,
  attachments: { images: true, files: true },
  warm: claudeWarm,
  schemaAs: 'flag',
  clientTools: true,
  createParser: (opts?: ParserOptions) => createClaudeParser(opts?.format ?? 'stream-json'),
  // Safe pass-through flags: none changes the output format, the prompt or session handling, and none
  // bypasses permissions. Variadic flags take one value per occurrence here (repeat the flag).
  extraAllowList: {
    '--append-system-prompt': 1,
    '--add-dir': 1,
    '--disallowedTools': 1,
    '--disallowed-tools': 1,
    '--tools': 1,
    '--fallback-model': 1,
    '--effort': 1,
    '--max-budget-usd': 1,
    '--permission-prompts': 1,
    '--setting-sources': 1,
    '--strict-mcp-config': 0,
    '--disable-slash-commands': 0,
    '--exclude-dynamic-system-prompt-sections': 0,
    '--restricted': 0,
    '--safe-mode': 0,
    '--bare': 0,
    '--name': 1,
    '-n': 1,
  },
};
