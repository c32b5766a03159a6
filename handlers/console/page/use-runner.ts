// Starting and stopping streamed runs, shared by Chat (one at a time) and Compare (one per backend).
// Stop aborts the fetch: the server sees the client go and kills the agent's process tree.
import { useRef, useState } from 'preact/hooks';
import { ApiError, streamRun, type RunRequest } from './api.ts';
import { applyLine, endRun, newRun, type Run } from './run-state.ts';

export function useRunner() {
  const [runs, setRuns] = useState<Run[]>([]);
  const controllers = useRef(new Set<AbortController>());
  const update = (key: number, f: (r: Run) => Run) => setRuns((all) => all.map((r) => (r.key === key ? f(r) : r)));

  /** Starts a run and returns its final state when its stream ends. */
  async function start(body: RunRequest): Promise<Run> {
    const run = newRun(body.backend, body.prompt);
    let current = run;
    const set = (f: (r: Run) => Run) => {
      current = f(current);
      update(run.key, () => current);
    };
    setRuns((all) => [...all, run]);
    const controller = new AbortController();
    controllers.current.add(controller);
    try {
      for await (const line of streamRun(body, controller.signal)) set((r) => applyLine(r, line));
      set((r) => endRun(r, { stopped: false }));
    } catch (err) {
      const stopped = controller.signal.aborted;
      const error = err instanceof ApiError ? { message: err.message, code: err.code, hint: err.hint, status: err.status } : { message: err instanceof Error ? err.message : String(err) };
      set((r) => endRun(r, stopped ? { stopped } : { stopped, error }));
    } finally {
      controllers.current.delete(controller);
    }
    return current;
  }

  const stop = () => controllers.current.forEach((c) => c.abort());
  const running = runs.some((r) => r.status === 'running');
  return { runs, setRuns, start, stop, running };
}
