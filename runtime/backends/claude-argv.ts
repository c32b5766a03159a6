// Claude Code's command line (commander parser). Flags checked against cli-samples/claude-help.txt (2.1.330).
import type { ApprovalMode } from '../contract.ts';
import { flagValue, noFlag } from './argv.ts';
import type { ArgvRequest, BuiltArgv } from './types.ts';
import type { ClientToolServer } from '../tool-bridge.ts';

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

/**
 * The flags of a run, without the prompt: shared by the one-shot run (prompt after `--`) and the
 * long-lived mode (`head` = `--input-format stream-json`, prompts on stdin).
 */
export function claudeArgs(req: Omit<ArgvRequest, 'prompt'>, head: string[] = []): BuiltArgv {
  const args = ['-p', ...head, '--output-format', 'stream-json', '--verbose', '--include-partial-messages'];
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
  // The caller's tools (a per-run MCP server) are pre-approved by server name: in -p mode a tool that
  // needs a permission prompt is denied.
  const allowed = [...(req.allowedTools ?? []), ...(req.clientTools ? [`mcp__${req.clientTools.name}`] : [])];
  if (allowed.length > 0) args.push('--allowedTools', ...allowed.map((t) => flagValue('claude', 'allowed tool', t)));
  if (req.clientTools) args.push(...clientToolArgs(req.clientTools, env));
  // --resume takes an optional value: one starting with "-" would be read as a flag, hence flagValue.
  if (req.resumeId) args.push('--resume', flagValue('claude', 'resume id', req.resumeId));
  if (req.ephemeral) args.push('--no-session-persistence');
  args.push(...req.extra);
  return Object.keys(env).length > 0 ? { args, warnings, env } : { args, warnings };
}

/**
 * `--mcp-config <json>` takes inline JSON as well as a file. Builtin tools off: `--tools ""` (no
 * builtin tool) and `--strict-mcp-config` (no MCP server of the user's config either). The MCP client's
 * own wait for a tool result is MCP_TOOL_TIMEOUT: a little longer than the bridge's, which answers first.
 */
function clientToolArgs(t: ClientToolServer, env: Record<string, string>): string[] {
  env.MCP_TOOL_TIMEOUT = String(t.timeoutMs + 30_000);
  // claude 2.1.33x defers MCP tools behind its ToolSearch tool (the model sees a placeholder): offer them outright.
  env.ENABLE_TOOL_SEARCH = 'false';
  const config = JSON.stringify({ mcpServers: { [t.name]: { type: 'http', url: t.url } } });
  return ['--mcp-config', config, ...(t.builtinTools ? [] : ['--strict-mcp-config', '--tools', ''])];
}

export function buildArgs(req: ArgvRequest): BuiltArgv {
  const built = claudeArgs(req);
  // `--` also stops the variadic flags above (--allowedTools, --add-dir…) from swallowing the prompt.
  built.args.push('--');
  // With no prompt argument, claude -p reads the prompt from stdin (checked on 2.1.332, 1 MiB whole).
  if (req.promptOnStdin) built.stdin = req.prompt;
  else built.args.push(req.prompt);
  return built;
}

