// A scripted Runtime.run for compatible-API tests: records each Invocation and answers with
// text deltas, or fails the way a backend would.
import { ClinvkError, emptyUsage, type Invocation, type RunError, type RunEvent } from '../../../runtime/contract.ts';

export interface Script {
  chunks?: string[];
  error?: RunError;
  /** Fail after the chunks (mid-stream). */
  throwInput?: ClinvkError;
  delayMs?: number;
}

export function fakeRun(script: (inv: Invocation, n: number) => Script = () => ({})) {
  const calls: Invocation[] = [];
  async function* run(inv: Invocation, signal?: AbortSignal): AsyncIterable<RunEvent> {
    calls.push(inv);
    const s = script(inv, calls.length);
    if (s.throwInput) throw s.throwInput;
    const sessionId = inv.sessionId ?? `sess${calls.length}`;
    yield { type: 'init', backend: inv.backend, sessionId, backendSessionId: `native-${sessionId}` };
    const chunks = s.chunks ?? ['Hello', ' from', ' fake'];
    for (const text of chunks) {
      if (s.delayMs) await new Promise((r) => setTimeout(r, s.delayMs));
      if (signal?.aborted) break;
      yield { type: 'text', text };
    }
    const usage = { ...emptyUsage(), inputTokens: 12, outputTokens: 9, cachedTokens: 3 };
    yield {
      type: 'done',
      result: {
        backend: inv.backend,
        sessionId,
        output: chunks.join(''),
        exitCode: s.error ? 1 : 0,
        durationMs: 5,
        usage,
        warnings: [],
        ...(s.error ? { error: s.error } : {}),
      },
    };
  }
  return { run, calls };
}
