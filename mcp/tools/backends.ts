// clinvk_backends: which agent CLIs are installed, enabled and which version, so an agent picks one that works.
// Where the runtime has the doctor (Node), the answer also carries its checks (logged in, tested
// version, sandbox, config, sessions); `live: true` adds one tiny real prompt per backend.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { backendToJson } from '../../handlers/rest/backends.ts';
import type { DoctorReport } from '../../runtime/contract.ts';
import { plain, safely, type ToolContext } from './common.ts';
import { backendsOutput } from './output-schemas.ts';

const MARK = { ok: '✓', warn: '!', fail: '✗', skip: '-' } as const;

const doctorLines = (r: DoctorReport) => [
  `Checks (clinvk doctor): ${r.ok ? 'no problems' : 'problems found'}`,
  ...r.checks.flatMap((c) => [`${MARK[c.status]} ${c.message}`, ...(c.fix && c.status !== 'ok' ? [`  fix: ${c.fix}`] : [])]),
];

export function registerBackends(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'clinvk_backends',
    {
      title: 'List the agent backends',
      description: `List the backends clinvk can run (claude, codex, gemini): whether each is installed and enabled, its version and default model, and why not when it is unavailable, with the checks of \`clinvk doctor\` (logged in, tested version, sandbox, config, sessions). Call it before choosing a backend for clinvk_prompt. live: true also sends each backend one tiny real prompt (costs tokens). Default backend: ${ctx.defaultBackend}.`,
      inputSchema: { live: z.boolean().optional().describe('Also send each backend found one tiny real prompt (costs tokens)') },
      outputSchema: backendsOutput,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    safely(ctx.runtime.log, async (args: { live?: boolean }, extra) => {
      const [list, doctor] = await Promise.all([ctx.runtime.backends(), ctx.runtime.doctor?.({ live: args.live === true, signal: extra.signal })]);
      const backends = list.map(backendToJson);
      const lines = backends.map((b) =>
        b.available
          ? `${b.name}: available${b.version ? ` (${b.version})` : ''}${b.default_model ? `, default model ${b.default_model}` : ''}${b.name === ctx.defaultBackend ? ' [default]' : ''}`
          : `${b.name}: not available${b.reason ? ` - ${b.reason}` : b.enabled ? '' : ' (disabled in config)'}`,
      );
      const text = [lines.join('\n') || 'no backends configured', ...(doctor ? ['', ...doctorLines(doctor)] : [])].join('\n');
      return { content: [{ type: 'text', text }], structuredContent: plain({ backends, ...(doctor ? { doctor } : {}) }) };
    }),
  );
}
