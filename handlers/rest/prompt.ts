// POST /api/v1/prompt: one run. `json` (default) answers with the result when the run ends;
// `stream-json` streams the unified events (SPEC §2) as NDJSON while it runs; `text` answers the
// output alone. A run that fails still answers 200: the body's exit_code and error say how it
// failed (the run happened; that is its result). Input the engine refuses before starting is a 4xx.
import type { RunEvent, RunResult, Runtime } from '../../runtime/contract.ts';
import { resultToJson, runEventToJson } from '../../runtime/wire.ts';
import { startRun } from '../compat/start-run.ts';
import { ndjsonResponse } from '../ndjson.ts';
import { promptRequestSchema, toInvocation } from '../schemas/requests.ts';
import { parseBody } from './parse.ts';

export interface PromptDeps {
  runtime: Pick<Runtime, 'run'>;
  defaultBackend: string;
  heartbeatMs: number;
}

export async function* unifiedEvents(events: AsyncIterable<RunEvent>, backend: string): AsyncIterable<unknown> {
  let sessionId: string | undefined;
  for await (const ev of events) {
    if (ev.type === 'init' && ev.sessionId) sessionId = ev.sessionId;
    const line = runEventToJson(ev, sessionId ? { backend, sessionId } : { backend });
    if (Array.isArray(line)) yield* line;
    else yield line;
  }
}

export async function finalResult(events: AsyncIterable<RunEvent>): Promise<RunResult> {
  let result: RunResult | undefined;
  for await (const ev of events) if (ev.type === 'done') result = ev.result;
  if (!result) throw new Error('the run ended without a result');
  return result;
}

export async function promptRoute(req: Request, deps: PromptDeps, signal: AbortSignal): Promise<Response> {
  const body = await parseBody(req, promptRequestSchema);
  const inv = toInvocation(body, deps.defaultBackend);
  // Wait for the first event, so a refused invocation (thrown) is still a clean 4xx.
  const events = await startRun(deps.runtime, inv, signal);
  if (body.output_format === 'stream-json') return ndjsonResponse(unifiedEvents(events, inv.backend), { heartbeatMs: deps.heartbeatMs });
  const result = await finalResult(events);
  if (body.output_format === 'text') {
    return new Response(result.output, {
      headers: { 'content-type': 'text/plain; charset=utf-8', 'x-clinvk-exit-code': String(result.exitCode), ...(result.sessionId ? { 'x-clinvk-session-id': result.sessionId } : {}) },
    });
  }
  return Response.json(resultToJson(result));
}
