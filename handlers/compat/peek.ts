// The first event of a started run, read without losing it: a door that must name something before the
// answer streams (a Responses id that carries the runner's name) learns the session from `init`.
import type { RunEvent } from '../../runtime/contract.ts';

export async function peekFirst(events: AsyncIterable<RunEvent>): Promise<{ first?: RunEvent; events: AsyncIterable<RunEvent> }> {
  const iterator = events[Symbol.asyncIterator]();
  const head = await iterator.next();
  let replayed = head.done === true;
  return {
    ...(head.done ? {} : { first: head.value }),
    events: {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          if (replayed) return iterator.next();
          replayed = true;
          return head;
        },
        return: async (value?: unknown) => {
          await iterator.return?.(value);
          return { done: true as const, value: undefined };
        },
      }),
    },
  };
}
