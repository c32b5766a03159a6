// The REST surface at /api/v1 (SPEC §6). Errors are RFC 7807 problems, rendered by the app from
// thrown ClinvkErrors (see errors.ts), so the routes here only say what went wrong.
import { Router, type IRequest } from 'itty-router';
import type { Ctx } from './middleware/context.ts';
import { listBackends } from './rest/backends.ts';
import { doctorRoute } from './rest/doctor.ts';
import type { RestDepsLike } from './rest/deps.ts';
import { chainRoute, compareRoute, parallelRoute } from './rest/orchestrate.ts';
import { pathParam } from './rest/parse.ts';
import { promptRoute } from './rest/prompt.ts';
import { deleteSession, getSession, listSessions } from './rest/sessions.ts';

export type RestDeps = RestDepsLike;

const idParam = (req: IRequest) => pathParam(req.params.id);

/** Returns undefined for paths it does not own, so the app's 404 answers them. */
export function createRestApi(deps: RestDeps) {
  const prompt = { runtime: deps.runtime, defaultBackend: deps.config.default_backend, heartbeatMs: deps.heartbeatMs };
  const router = Router<IRequest, [Ctx]>({ base: '/api/v1' })
    .post('/prompt', (req, ctx) => promptRoute(req, prompt, ctx.signal))
    .post('/parallel', (req, ctx) => parallelRoute(req, deps, ctx.signal))
    .post('/chain', (req, ctx) => chainRoute(req, deps, ctx.signal))
    .post('/compare', (req, ctx) => compareRoute(req, deps, ctx.signal))
    .get('/backends', () => listBackends(deps.runtime))
    .get('/doctor', (_req, ctx) => doctorRoute(ctx.url, deps.runtime, ctx.signal))
    .get('/sessions', (_req, ctx) => listSessions(ctx.url, deps.runtime))
    .get('/sessions/:id', (req) => getSession(idParam(req), deps.runtime))
    .delete('/sessions/:id', (req) => deleteSession(idParam(req), deps.runtime));
  return (req: Request, ctx: Ctx): Promise<Response | undefined> => router.fetch(req as IRequest, ctx);
}
