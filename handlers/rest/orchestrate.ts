// POST /api/v1/parallel, /chain, /compare: thin doors onto runtime/orchestrate.ts. The answer is
// the summary (200) even when some runs failed; each result says how it went.
import { chain, chainToJson, compare, compareToJson, parallel, parallelToJson } from '../../runtime/orchestrate.ts';
import { ClinvkError } from '../../runtime/contract.ts';
import { chainRequestSchema, compareRequestSchema, parallelRequestSchema, toInvocation, type TaskRequest } from '../schemas/requests.ts';
import type { RestDepsLike } from './deps.ts';
import { parseBody } from './parse.ts';

const withName = (t: TaskRequest, defaultBackend: string) => ({ ...toInvocation(t, defaultBackend), ...(t.name !== undefined ? { name: t.name } : {}) });

export async function parallelRoute(req: Request, deps: RestDepsLike, signal: AbortSignal): Promise<Response> {
  const body = await parseBody(req, parallelRequestSchema);
  if (body.output_dir !== undefined) {
    throw new ClinvkError('INVALID_INPUT', 'output_dir: not accepted over HTTP (the server would write files for the caller)', { hint: 'use `clinvk parallel` for output_dir, or save the JSON answer yourself' });
  }
  const summary = await parallel(deps.runtime, body.tasks.map((t) => withName(t, deps.config.default_backend)), {
    signal,
    maxParallel: body.max_parallel ?? deps.config.parallel.max_workers,
    failFast: body.fail_fast ?? deps.config.parallel.fail_fast,
  });
  return Response.json(parallelToJson(summary));
}

export async function chainRoute(req: Request, deps: RestDepsLike, signal: AbortSignal): Promise<Response> {
  const body = await parseBody(req, chainRequestSchema);
  const summary = await chain(deps.runtime, body.steps.map((s) => withName(s, deps.config.default_backend)), {
    signal,
    ...(body.stop_on_failure !== undefined ? { stopOnFailure: body.stop_on_failure } : {}),
    ...(body.pass_working_dir !== undefined ? { passWorkingDir: body.pass_working_dir } : {}),
  });
  return Response.json(chainToJson(summary));
}

export async function compareRoute(req: Request, deps: RestDepsLike, signal: AbortSignal): Promise<Response> {
  const body = await parseBody(req, compareRequestSchema);
  const { backend: _none, ...base } = toInvocation(body, '');
  const summary = await compare(deps.runtime, base, body.backends ?? 'all', { signal, ...(body.sequential !== undefined ? { sequential: body.sequential } : {}) });
  return Response.json(compareToJson(summary));
}
