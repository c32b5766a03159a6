// Claude Code's command line (commander parser). Flags checked against cli-samples/claude-help.txt (2.1.330).
import { flagValue } from './argv.ts';
import { claudeDirFlags, claudeUserLine } from './attachment-args.ts';
import { claudeModes } from './claude-modes.ts';
import type { ArgvRequest, BuiltArgv } from './types.ts';
import type { ClientToolServer } from '../tool-bridge.ts';

/**
 * The flags of a run, without the prompt: shared by the one-shot run (prompt after `--`) and the
 * long-lived mode (`head` = `--input-format stream-json`, prompts on stdin).
 */
export function claudeArgs(req: Omit<ArgvRequest, 'prompt'>, head: string[] = []): BuiltArgv {
  const args = ['-p', ...head, '--output-format', 'stream-json', '--verbose', '--include-partial-messages'];
  const env: Record<string, string> = {};
  if (req.model) args.push('--model', flagValue('claude', 'model', req.model));
  // The approval and sandbox modes' meaning on claude is claude-modes.ts's.
  const userTools = (req.allowedTools ?? []).map((t) => flagValue('claude', 'allowed tool', t));
  const modes = claudeModes(req.approvalMode, req.sandboxMode, userTools);
  const warnings = [...modes.warnings];
  if (modes.permissionMode) args.push('--permission-mode', modes.permissionMode);
  // commander takes the next word as the value of a required option even when it starts with "-".
  if (req.systemPrompt) args.push('--system-prompt', req.systemPrompt);
  if (req.maxTurns !== undefined && req.maxTurns > 0) args.push('--max-turns', String(Math.floor(req.maxTurns)));
  // No flag, but claude reads its output-token cap from the environment.
  if (req.maxTokens !== undefined && req.maxTokens > 0) env.CLAUDE_CODE_MAX_OUTPUT_TOKENS = String(Math.floor(req.maxTokens));
  // The caller's tools (a per-run MCP server) are pre-approved by server name: in -p mode a tool that
  // needs a permission prompt is denied.
  const allowed = [...modes.allowedTools, ...(req.clientTools ? [flagValue('claude', 'allowed tool', `mcp__${req.clientTools.name}`)] : [])];
  if (allowed.length > 0) args.push('--allowedTools', ...allowed);
  if (modes.disallowedTools.length > 0) args.push('--disallowedTools', ...modes.disallowedTools);
  if (req.clientTools) args.push(...clientToolArgs(req.clientTools, env));
  // --resume takes an optional value: one starting with "-" would be read as a flag, hence flagValue.
  if (req.resumeId) args.push('--resume', flagValue('claude', 'resume id', req.resumeId));
  if (req.ephemeral) args.push('--no-session-persistence');
  // Both are fixed for a live process too (its key holds them): claude cannot change them per turn.
  if (req.effort) args.push('--effort', req.effort);
  if (req.outputSchema) args.push('--json-schema', JSON.stringify(req.outputSchema));
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
  if (req.attachments?.length) {
    // Images go as content blocks of one stream-json user message on stdin (EOF then ends the run).
    const withInput = claudeArgs(req, ['--input-format', 'stream-json']);
    withInput.args.push(...claudeDirFlags(req.attachments, req.attachmentDir));
    return { ...withInput, stdin: `${claudeUserLine(req.prompt, req.attachments)}\n` };
  }
  const built = claudeArgs(req);
  // `--` also stops the variadic flags above (--allowedTools, --add-dir…) from swallowing the prompt.
  built.args.push('--');
  // With no prompt argument, claude -p reads the prompt from stdin (checked on 2.1.332, 1 MiB whole).
  if (req.promptOnStdin) built.stdin = req.prompt;
  else built.args.push(req.prompt);
  return built;
}

