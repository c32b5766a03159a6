// GET /api/v1/doctor: the checks of `clinvk doctor`, run by the Node runtime (the handler only asks).
// A Worker has no backends or files of its own, so there it answers 501 and says where to look.
import type { Runtime } from '../../runtime/contract.ts';
import { problem } from '../problem.ts';
import { doctorQuerySchema } from '../schemas/doctor.ts';
import { parseQuery } from './parse.ts';

export async function doctorRoute(url: URL, runtime: Pick<Runtime, 'doctor'>, signal?: AbortSignal): Promise<Response> {
  const q = parseQuery(url, doctorQuerySchema);
  if (!runtime.doctor) {
    return problem(501, 'NOT_AVAILABLE', 'the doctor is not available on the edge: its checks need the machine that runs the backends', { hint: 'run `clinvk doctor` on the runner, or GET /api/v1/doctor from the runner itself' });
  }
  const live = q.live === '1' || q.live === 'true';
  return Response.json(await runtime.doctor({ live, ...(signal ? { signal } : {}) }));
}
