// clinvk_backends: which agent CLIs are installed, enabled and which version, so an agent picks one that works.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { backendToJson } from '../../handlers/rest/backends.ts';
import { plain, safely, type ToolContext } from './common.ts';
import { backendsOutput } from './output-schemas.ts';

export function registerBackends(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'clinvk_backends',
    {
      title: 'List the agent backends',
      description: `List the backends clinvk can run (claude, codex, gemini): whether each is installed and enabled, its version and default model, and why not when it is unavailable. Call it before choosing a backend for clinvk_prompt. Default backend: ${ctx.defaultBackend}.`,
      inputSchema: {},
      outputSchema: backendsOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    safely(ctx.runtime.log, async () => {
      const backends = (await ctx.runtime.backends()).map(backendToJson);
      const lines = backends.map((b) =>
        b.available
          ? `${b.name}: available${b.version ? ` (${b.version})` : ''}${b.default_model ? `, default model ${b.default_model}` : ''}${b.name === ctx.defaultBackend ? ' [default]' : ''}`
          : `${b.name}: not available${b.reason ? ` - ${b.reason}` : b.enabled ? '' : ' (disabled in config)'}`,
      );
      return { content: [{ type: 'text', text: lines.join('\n') || 'no backends configured' }], structuredContent: plain({ backends }) };
    }),
  );
}
