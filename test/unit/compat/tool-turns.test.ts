// compat/tool-turns.ts: a run's events cut into responses at the agent's tool calls, parked between
// requests, resumed by the caller's results, drained when nobody answers.
import { describe, expect, it } from 'vitest';
import type { ClientToolResult, RunEvent } from '../../../runtime/contract.ts';
import { createToolTurns, type TurnEvent } from '../../../handlers/compat/tool-turns.ts';

/** A run whose events are pushed by the test, as a live run yields them over time. */
function liveRun() {
  const queue: RunEvent[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let reads = 0;
  async function* events(): AsyncGenerator<RunEvent> {
    while (true) {
      if (queue.length > 0) {
        reads++;
        const ev = queue.shift()!;
        yield ev;
        if (ev.type === 'done') return;
      } else if (ended) return;
      else await new Promise<void>((r) => (wake = r));
    }
  }
  return {
    events: events(),
    push: (...evs: RunEvent[]) => {
      queue.push(...evs);
      wake?.();
    },
    end: () => {
      ended = true;
      wake?.();
    },
    get reads() {
      return reads;
    },
  };
}

const call = (id: string, timeoutMs = 60_000): RunEvent => ({ type: 'client_tool_call', id, name: `tool_${id}`, input: { id }, timeoutMs });
const done = (output: string): RunEvent => ({ type: 'done', result: { backend: 'claude', output, exitCode: 0, durationMs: 1, usage: { inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 }, warnings: [] } });

async function all(turn: AsyncIterable<TurnEvent>): Promise<TurnEvent[]> {
  const out: TurnEvent[] = [];
  for await (const ev of turn) out.push(ev);
  return out;
}

function turns() {
  const resolved: [string, ClientToolResult][] = [];
  const t = createToolTurns({ resolveToolCall: (id, r) => (resolved.push([id, r]), true) }, { settleMs: 30 });
  return { t, resolved };
}

describe('tool turns', () => {
  it('ends a response at a batch of parallel calls, and resumes the same run with the results', async () => {
    const { t, resolved } = turns();
    const run = liveRun();
    run.push({ type: 'text', text: 'Let me check. ' }, call('a'), call('b'));
    const first = await all(t.start(run.events, new AbortController()));
    expect(first.map((e) => e.type)).toEqual(['text', 'tool_calls']);
    expect((first[1] as Extract<TurnEvent, { type: 'tool_calls' }>).calls.map((c) => c.id)).toEqual(['a', 'b']);
    expect(t.waiting).toBe(1);

    const next = t.resume([{ id: 'a', result: { content: '1' } }, { id: 'b', result: { content: 'bad', isError: true } }])!;
    run.push({ type: 'text', text: 'All done.' }, done('Let me check. All done.'));
    const second = await all(next);
    expect(resolved).toEqual([['a', { content: '1' }], ['b', { content: 'bad', isError: true }]]);
    expect(second.map((e) => (e.type === 'text' ? e.text : e.type))).toEqual(['All done.', 'done']);
    expect(t.waiting).toBe(0);
  });

  it('calls the agent announced (its tool_use events) are waited for past the settle wait, up to a cap', async () => {
    const t = createToolTurns({ resolveToolCall: () => true }, { settleMs: 30, announcedWaitMs: 1000 });
    const run = liveRun();
    const use = (id: string, name: string): RunEvent => ({ type: 'tool_use', id, name, input: {} });
    // codex names them client.<tool>: two announced, the second call reaches the bridge 150 ms after the first.
    run.push(use('u1', 'client.tool_a'), use('u2', 'client.tool_b'), call('a'));
    setTimeout(() => run.push(call('b')), 150);
    const first = await all(t.start(run.events, new AbortController()));
    expect((first.at(-1) as Extract<TurnEvent, { type: 'tool_calls' }>).calls.map((c) => c.id)).toEqual(['a', 'b']);

    // claude's and gemini's names count too; an announced call that never comes holds the response only up to the cap.
    const next = t.resume([{ id: 'a', result: { content: '1' } }, { id: 'b', result: { content: '2' } }])!;
    run.push(use('u3', 'mcp__client__tool_c'), use('u4', 'mcp_client_tool_d'), call('c'));
    const t0 = Date.now();
    const second = await all(next);
    expect((second.at(-1) as Extract<TurnEvent, { type: 'tool_calls' }>).calls.map((c) => c.id)).toEqual(['c']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);

    // The next step counts afresh: the call that never came does not hold it up; the agent's own tools never did.
    const third = t.resume([{ id: 'c', result: { content: '3' } }])!;
    run.push(use('u5', 'Bash'), call('e'));
    const t1 = Date.now();
    const last = await all(third);
    expect((last.at(-1) as Extract<TurnEvent, { type: 'tool_calls' }>).calls.map((c) => c.id)).toEqual(['e']);
    expect(Date.now() - t1).toBeLessThan(900);
  });

  it('the wait for announced calls takes at most half the first call’s own timeout, so the caller keeps the rest', async () => {
    const t = createToolTurns({ resolveToolCall: () => true }, { settleMs: 30, announcedWaitMs: 5_000 });
    const run = liveRun();
    run.push({ type: 'tool_use', id: 'u1', name: 'client.tool_a', input: {} }, { type: 'tool_use', id: 'u2', name: 'client.tool_b', input: {} }, call('a', 1_000));
    const t0 = Date.now();
    const first = await all(t.start(run.events, new AbortController()));
    expect((first.at(-1) as Extract<TurnEvent, { type: 'tool_calls' }>).calls.map((c) => c.id)).toEqual(['a']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    expect(Date.now() - t0).toBeLessThan(3_000);
  });

  it('a call that comes after the settle wait starts the next response, not this one', async () => {
    const { t } = turns();
    const run = liveRun();
    run.push(call('a'));
    const first = await all(t.start(run.events, new AbortController()));
    expect(first).toHaveLength(1);
    run.push(call('late'));
    const second = await all(t.resume([{ id: 'a', result: { content: 'x' } }])!);
    expect(second).toMatchObject([{ type: 'tool_calls', calls: [{ id: 'late' }] }]);
  });

  it('results for a call nobody waits on are refused with INVALID_INPUT; none at all is not a resume', () => {
    const { t } = turns();
    expect(t.resume([])).toBeUndefined();
    expect(() => t.resume([{ id: 'nope', result: { content: '' } }])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(/"nope"/) }));
  });

  it('a result the runtime no longer waits for (timed out) is refused, and the run is read to its end', async () => {
    const t = createToolTurns({ resolveToolCall: () => false }, { settleMs: 10 });
    const run = liveRun();
    run.push(call('a'));
    await all(t.start(run.events, new AbortController()));
    expect(() => t.resume([{ id: 'a', result: { content: 'late' } }])).toThrow(/too late/);
    run.push({ type: 'warning', message: 'x' }, done(''));
    await expect.poll(() => run.reads).toBe(3);
  });

  it('nobody answers within the call\'s timeout: the parked run is drained (the engine ends it)', async () => {
    const { t } = turns();
    const run = liveRun();
    run.push(call('a', 50));
    await all(t.start(run.events, new AbortController()));
    expect(t.waiting).toBe(1);
    await new Promise((r) => setTimeout(r, 80));
    expect(t.waiting).toBe(0);
    run.push(done(''));
    await expect.poll(() => run.reads).toBe(2);
    expect(() => t.resume([{ id: 'a', result: { content: '' } }])).toThrow(/no agent is waiting/);
  });

  it('the client going away mid-response aborts the run; once parked, it does not', async () => {
    const { t } = turns();
    const run = liveRun();
    const controller = new AbortController();
    const request = new AbortController();
    run.push({ type: 'text', text: 'hi' });
    const it = t.start(run.events, controller, request.signal)[Symbol.asyncIterator]();
    await it.next();
    request.abort();
    expect(controller.signal.aborted).toBe(true);

    const run2 = liveRun();
    const controller2 = new AbortController();
    const request2 = new AbortController();
    run2.push(call('z'));
    await all(t.start(run2.events, controller2, request2.signal));
    request2.abort();
    expect(controller2.signal.aborted).toBe(false);
  });
});
