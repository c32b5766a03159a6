// The clinvk MCP server: six tools over the same Runtime every other door uses. Pure (no node:*),
// so the stdio command, the /mcp HTTP endpoint and a Worker can all build it.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Runtime } from '../runtime/contract.ts';
import type { ToolContext } from './tools/common.ts';
import { registerBackends } from './tools/backends.ts';
import { registerOrchestration } from './tools/orchestrate.ts';
import { registerPrompt } from './tools/prompt.ts';
import { registerSessions } from './tools/sessions.ts';

export interface McpServerOptions {
  /** Backend for calls that name none (the config's default_backend). */
  defaultBackend?: string;
}

export const TOOL_NAMES = ['clinvk_prompt', 'clinvk_compare', 'clinvk_chain', 'clinvk_parallel', 'clinvk_backends', 'clinvk_sessions'] as const;

const INSTRUCTIONS = `clinvk runs AI coding agent CLIs (claude, codex, gemini) for you.
clinvk_prompt runs one prompt and returns a session_id; pass it back as session_id to continue that conversation.
clinvk_compare asks several backends the same prompt; clinvk_chain runs dependent steps ({{previous}} = the last answer); clinvk_parallel runs independent tasks at once.
clinvk_backends shows which backends are installed; clinvk_sessions lists earlier sessions.`;

export function createMcpServer(runtime: Runtime, opts: McpServerOptions = {}): McpServer {
  const server = new McpServer({ name: 'clinvk', title: 'clinvk', version: runtime.version }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
  const ctx: ToolContext = { runtime, defaultBackend: opts.defaultBackend ?? 'claude' };
  registerPrompt(server, ctx);
  registerOrchestration(server, ctx);
  registerBackends(server, ctx);
  registerSessions(server, ctx);
  return server;
}
