// Claude Code (`claude`, commander parser). Flags checked against cli-samples/claude-help.txt (2.1.330).
import type { ApprovalMode } from '../contract.ts';
import { flagValue, noFlag } from './argv.ts';
import { createClaudeParser } from './claude-parser.ts';
import type { ParserOptions } from './jsonl.ts';
import type { ArgvRequest, BackendAdapter, BuiltArgv, OutputParser } from './types.ts';

/**
 * `none` → dontAsk, never a bypass mode: every bypass (--dangerously-skip-permissions,
 * bypassPermissions) exits 1 when run as root. `always` → manual (2.1.330's name for `default`).
 */
const PERMISSION_MODE: Record<ApprovalMode, string | undefined> = {
  default: undefined,
  auto: 'acceptEdits',
  none: 'dontAsk',
  always: 'manual',
};

function buildArgs(req: ArgvRequest): BuiltArgv {
  const args = ['-p', '--output-format', 'stream-json', '--verbose', '--include-partial-messages'];
  const warnings: string[] = [];
  const env: Record<string, string> = {};
  if (req.model) args.push('--model', flagValue('claude', 'model', req.model));
  const mode = PERMISSION_MODE[req.approvalMode];
  if (mode) args.push('--permission-mode', mode);
  if (req.sandboxMode !== 'default') warnings.push(noFlag('claude', `sandbox_mode "${req.sandboxMode}"`));
  // commander takes the next word as the value of a required option even when it starts with "-".
  if (req.systemPrompt) args.push('--system-prompt', req.systemPrompt);
  if (req.maxTurns !== undefined && req.maxTurns > 0) args.push('--max-turns', String(Math.floor(req.maxTurns)));
  // No flag, but claude reads its output-token cap from the environment.
  if (req.maxTokens !== undefined && req.maxTokens > 0) env.CLAUDE_CODE_MAX_OUTPUT_TOKENS = String(Math.floor(req.maxTokens));
  if (req.allowedTools && req.allowedTools.length > 0) {
    args.push('--allowedTools', ...req.allowedTools.map((t) => flagValue('claude', 'allowed tool', t)));
  }
  // --resume takes an optional value: one starting with "-" would be read as a flag, hence flagValue.
  if (req.resumeId) args.push('--resume', flagValue('claude', 'resume id', req.resumeId));
  if (req.ephemeral) args.push('--no-session-persistence');
  // `--` also stops the variadic flags above (--allowedTools, --add-dir…) from swallowing the prompt.
  args.push(...req.extra, '--');
  const built: BuiltArgv = { args, warnings };
  if (Object.keys(env).length > 0) built.env = env;
  // With no prompt argument, claude -p reads the prompt from stdin (checked on 2.1.332, 1 MiB whole).
  if (req.promptOnStdin) built.stdin = req.prompt;
  else args.push(req.prompt);
  return built;
}

export const claude: BackendAdapter & { createParser(opts?: ParserOptions): OutputParser } = {
  name: 'claude',
  binary: 'claude',
  displayName: 'Claude Code',
  installHint: 'Install Claude Code with `npm i -g @anthropic-ai/claude-code`, then run `claude` once and log in.',
  loginHint: 'Run `claude` once and log in (or set ANTHROPIC_API_KEY).',
  versionArgs: ['--version'],
  buildArgs,
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
