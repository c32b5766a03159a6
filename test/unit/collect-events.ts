import type { RunEvent } from '../../runtime/contract.ts';

export async function collectEvents(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}
