// clinvk_sessions: find earlier runs to continue (list with filters, show one, delete one).
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { ClinvkError, type Session } from '../../runtime/contract.ts';
import { sessionToDelete } from '../../runtime/session-lookup.ts';
import { sessionToJson } from '../../runtime/wire.ts';
import { sessionListQuerySchema } from '../../handlers/schemas/requests.ts';
import { plain, safely, type ToolContext } from './common.ts';
import { sessionsOutput } from './output-schemas.ts';

const q = sessionListQuerySchema.shape;
const sessionsInput = {
  action: z.enum(['list', 'show', 'delete']).default('list').describe('list (newest first), show one session, or delete one'),
  id: z.string().min(1).max(128).optional().describe('Session id or a unique prefix (show); delete needs the full id or at least 8 characters'),
  backend: q.backend.describe('list: only this backend'),
  status: q.status.describe('list: only sessions with this status'),
  limit: q.limit.describe('list: at most this many (default 20)'),
  offset: q.offset.describe('list: skip this many'),
};
type SessionsArgs = z.infer<z.ZodObject<typeof sessionsInput>>;

const DEFAULT_LIMIT = 20;

const line = (s: Session) =>
  `${s.id}  ${s.backend}  ${s.status}  last used ${s.lastUsed}  ${s.backendSessionId ? 'resumable' : 'not resumable'}  ${s.workingDir}  "${s.title}"`;

const needId = (a: SessionsArgs) => {
  if (!a.id) throw new ClinvkError('INVALID_INPUT', `action ${a.action} needs an id`, { hint: 'call clinvk_sessions with action "list" to find one' });
  return a.id;
};

const actions: Record<SessionsArgs['action'], (a: SessionsArgs, ctx: ToolContext) => Promise<{ text: string; json: Record<string, unknown> }>> = {
  async list(a, ctx) {
    const limit = a.limit ?? DEFAULT_LIMIT;
    const offset = a.offset ?? 0;
    const { sessions, total } = await ctx.runtime.sessions.list({ ...(a.backend ? { backend: a.backend } : {}), ...(a.status ? { status: a.status } : {}), limit, offset });
    const head = `${total} session(s)${total > sessions.length ? `, showing ${offset + 1}-${offset + sessions.length}` : ''}. Continue one with clinvk_prompt and session_id.`;
    return { text: [head, ...sessions.map(line)].join('\n'), json: { sessions: sessions.map(sessionToJson), total, limit, offset } };
  },
  async show(a, ctx) {
    const s = await ctx.runtime.sessions.get(needId(a));
    const u = s.tokenUsage;
    const text = [
      line(s),
      `created ${s.createdAt}, ${s.turnCount} turn(s), model ${s.model ?? 'default'}, tokens in ${u.inputTokens} / out ${u.outputTokens}`,
      `first prompt: ${s.initialPrompt}`,
      s.errorMessage ? `last error: ${s.errorMessage}` : '',
      s.backendSessionId ? `Continue it: clinvk_prompt with session_id "${s.id}".` : 'It has no backend session id, so it cannot be continued.',
    ];
    return { text: text.filter(Boolean).join('\n'), json: { session: sessionToJson(s) } };
  },
  async delete(a, ctx) {
    const s = await sessionToDelete(ctx.runtime.sessions, needId(a));
    await ctx.runtime.sessions.delete(s.id);
    return { text: `deleted session ${s.id}`, json: { deleted: s.id } };
  },
};

export function registerSessions(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'clinvk_sessions',
    {
      title: 'List, show or delete clinvk sessions',
      description:
        'Every clinvk_prompt run (unless ephemeral) is saved as a session. action "list" finds sessions (newest first; filter by backend, status), "show" gives one session\'s details, "delete" removes one. To continue a session, call clinvk_prompt with its id as session_id.',
      inputSchema: sessionsInput,
      outputSchema: sessionsOutput,
      annotations: { destructiveHint: true, openWorldHint: false },
    },
    safely(ctx.runtime.log, async (args: SessionsArgs) => {
      const { text, json } = await actions[args.action](args, ctx);
      return { content: [{ type: 'text', text }], structuredContent: plain(json) };
    }),
  );
}
