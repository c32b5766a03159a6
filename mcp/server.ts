// The clinvk MCP server: six tools over the same Runtime every other door uses. Pure (no node:*),
// so the stdio command, the /mcp HTTP endpoint and a Worker can all build it.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Runtime } from '../runtime/contract.ts';
import type { ToolContext } from './tools/common.ts';
import { pageChars, RunTable } from './run-table.ts';
import { registerBackground } from './tools/background.ts';
import { registerBackends } from './tools/backends.ts';
import { registerOrchestration } from './tools/orchestrate.ts';
import { registerPrompt } from './tools/prompt.ts';
import { registerSessions } from './tools/sessions.ts';

export interface McpServerOptions {
  /** Backend for calls that name none (the config's default_backend). */
  defaultBackend?: string;
  /** Share one table between the servers of one endpoint (HTTP builds a server per session or request). */
  runs?: RunTable;
  /** Answers larger than this many (estimated) tokens come in pages. Default 20,000 (Claude Code refuses results over ~25,000). */
  pageTokens?: number;
  /** Progress heartbeat while a backend is silent (ms). Default 15,000. */
  heartbeatMs?: number;
}

export const TOOL_NAMES = [
  'clinvk_prompt', 'clinvk_compare', 'clinvk_chain', 'clinvk_parallel', 'clinvk_backends', 'clinvk_sessions',
  'clinvk_start', 'clinvk_status', 'clinvk_result', 'clinvk_cancel',
] as const;

const INSTRUCTIONS = `clinvk runs AI coding agent CLIs (claude, codex, gemini) for you.
clinvk_prompt runs one prompt and returns a session_id; pass it back as session_id to continue that conversation.
clinvk_compare asks several backends the same prompt; clinvk_chain runs dependent steps ({{previous}} = the last answer); clinvk_parallel runs independent tasks at once.
clinvk_backends shows which backends are installed; clinvk_sessions lists earlier sessions.
For work that may take longer than a minute, use clinvk_start, then clinvk_result (waits, then answers; call again while it runs), clinvk_status and clinvk_cancel.
Large answers come in pages: follow next_page with clinvk_result.`;

export function createMcpServer(runtime: Runtime, opts: McpServerOptions = {}): McpServer {
  const server = new McpServer({ name: 'clinvk', title: 'clinvk', version: runtime.version }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
  const pageTokens = opts.pageTokens ?? 20_000;
  const ctx: ToolContext = { runtime, defaultBackend: opts.defaultBackend ?? 'claude', runs: opts.runs ?? new RunTable(), pageTokens, pageChars: pageChars(pageTokens), heartbeatMs: opts.heartbeatMs ?? 15_000 };
  registerPrompt(server, ctx);
  registerOrchestration(server, ctx);
  registerBackends(server, ctx);
  registerSessions(server, ctx);
  registerBackground(server, ctx);
  return server;
}
