// GET /api/v1/sessions, GET|DELETE /api/v1/sessions/:id. A missing session is a 404 problem (the
// store throws SESSION_NOT_FOUND); an ambiguous prefix a 400.
import type { Runtime } from '../../runtime/contract.ts';
import { sessionToDelete } from '../../runtime/session-lookup.ts';
import { sessionToJson } from '../../runtime/wire.ts';
import { sessionListQuerySchema } from '../schemas/requests.ts';
import { parseQuery } from './parse.ts';

const DEFAULT_LIMIT = 50;

export async function listSessions(url: URL, runtime: Pick<Runtime, 'sessions'>): Promise<Response> {
  const q = parseQuery(url, sessionListQuerySchema);
  const limit = q.limit ?? DEFAULT_LIMIT;
  const offset = q.offset ?? 0;
  const { sessions, total } = await runtime.sessions.list({ ...(q.backend ? { backend: q.backend } : {}), ...(q.status ? { status: q.status } : {}), limit, offset });
  return Response.json({ sessions: sessions.map(sessionToJson), total, limit, offset });
}

export async function getSession(id: string, runtime: Pick<Runtime, 'sessions'>): Promise<Response> {
  return Response.json(sessionToJson(await runtime.sessions.get(id)));
}

/** Deleting takes the full id or a prefix of at least 8 characters (a 400 otherwise); reads take any unique prefix. */
export async function deleteSession(id: string, runtime: Pick<Runtime, 'sessions'>): Promise<Response> {
  const session = await sessionToDelete(runtime.sessions, id);
  await runtime.sessions.delete(session.id);
  return Response.json({ id: session.id, deleted: true });
}
