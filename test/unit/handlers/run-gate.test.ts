// The run gate: a semaphore with a bounded queue; and the app refusing runs past it with 503 + Retry-After.
import { describe, expect, it } from 'vitest';
import { createRunGate } from '../../../handlers/run-gate.ts';
import { isClinvkError } from '../../../runtime/contract.ts';
import { fakeRuntime, json, testApp, url } from './fake-runtime.ts';

describe('run gate', () => {
  it('lets max runs in, queues the next, hands a freed slot to the first waiter', async () => {
    const seen: [number, number][] = [];
    const gate = createRunGate({ max: 2, queueMax: 1, queueTimeoutMs: 1000, onChange: (a, q) => seen.push([a, q]) });
    const r1 = await gate.acquire();
    await gate.acquire();
    const third = gate.acquire();
    expect([gate.active, gate.queued]).toEqual([2, 1]);
    const refused = await gate.acquire().catch((e) => e);
    expect(isClinvkError(refused) && refused.code).toBe('OVERLOADED');
    expect(refused.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    r1();
    r1(); // a second release does nothing
    const r3 = await third;
    expect([gate.active, gate.queued]).toEqual([2, 0]);
    r3();
    expect(gate.active).toBe(1);
    expect(seen.at(-1)).toEqual([1, 0]);
  });

  it('times a waiter out, and lets an aborted waiter go', async () => {
    const gate = createRunGate({ max: 1, queueMax: 5, queueTimeoutMs: 30 });
    await gate.acquire();
    const timedOut = await gate.acquire().catch((e) => e);
    expect(timedOut.code).toBe('OVERLOADED');
    const ac = new AbortController();
    const waiting = gate.acquire(ac.signal).catch((e) => e);
    ac.abort();
    expect((await waiting).code).toBe('CANCELLED');
    expect(gate.queued).toBe(0);
  });

  it('the app answers 503 with Retry-After when runs are over the cap, and frees slots when runs end', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const rt = fakeRuntime((_inv, n) => (n === 1 ? { gate: held } : {}));
    const app = testApp(rt, { server: { max_concurrent_runs: 1, queue_timeout_secs: 0 } });
    const streaming = await app.fetch(new Request(url('/api/v1/prompt'), json({ prompt: 'x', output_format: 'stream-json' })));
    const refused = await app.fetch(new Request(url('/api/v1/prompt'), json({ prompt: 'y' })));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    expect(await refused.json()).toMatchObject({ code: 'OVERLOADED' });
    const health = await (await app.fetch(new Request(url('/health')))).json();
    expect(health.runs).toEqual({ in_flight: 1, queued: 0, max: 1 });
    release();
    await streaming.text();
    expect(app.gate.active).toBe(0);
    expect((await app.fetch(new Request(url('/api/v1/prompt'), json({ prompt: 'z' })))).status).toBe(200);
  });
});
