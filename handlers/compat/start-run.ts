// Start a run and wait for its first event before answering, so input the engine rejects
// (unknown backend, bad workdir, disallowed flag: a thrown ClinvkError) becomes a clean 4xx
// instead of a stream that fails after a 200 has been sent.
import type { Invocation, RunEvent, Runtime } from '../../runtime/contract.ts';

export async function startRun(runtime: Pick<Runtime, 'run'>, inv: Invocation, signal?: AbortSignal): Promise<AsyncIterable<RunEvent>> {
  const iterator = runtime.run(inv, signal)[Symbol.asyncIterator]();
  const first = await iterator.next();
  return {
    [Symbol.asyncIterator]() {
      let replayed = false;
      return {
        next: async () => {
          if (!replayed) {
            replayed = true;
            return first;
          }
          return iterator.next();
        },
        return: async (value?: unknown) => {
          await iterator.return?.(value);
          return { done: true as const, value: undefined };
        },
      };
    },
  };
}
