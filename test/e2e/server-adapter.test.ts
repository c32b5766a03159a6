// runtime/node/server.ts with the real app on a real socket, and a fake Runtime (no processes):
// streaming both ways, disconnect → abort, peer address, graceful close.
import { afterEach, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../../runtime/node/server.ts';
import { fakeRuntime, json, testApp, type RunScript } from '../unit/handlers/fake-runtime.ts';
import type { Config } from '../../runtime/config.ts';

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(script: () => RunScript = () => ({}), server: Partial<Config['server']> = {}, grace = 2000) {
  const rt = fakeRuntime(script);
  const app = testApp(rt, { server, clientIp: 'none' });
  running = await serve((req, conn) => app.fetch(req, conn), { host: '127.0.0.1', port: 0, log: rt.logger, shutdownGraceMs: grace });
  return { rt, app, base: running.url, server: running };
}

const until = async (cond: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('node:http adapter', () => {
  it('round-trips a prompt and passes the peer address to the app', async () => {
    const { rt, base } = await start();
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${base}/api/v1/prompt`, json({ prompt: 'hi' }, { 'x-request-id': 'rid-1' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('rid-1');
    expect(await res.json()).toMatchObject({ output: 'Hello world', exit_code: 0 });
    const line = rt.logger.lines.find((l) => l.level === 'info')!;
    expect(line.obj).toMatchObject({ ip: '127.0.0.1', route: '/api/v1/prompt', status: 200 });
  });

  it('streams NDJSON: the first event arrives before the run ends', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const { base } = await start(() => ({ gate: held }));
    const res = await fetch(`${base}/api/v1/prompt`, json({ prompt: 'x', output_format: 'stream-json' }));
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('"type":"init"');
    release();
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    expect(rest.trim().split('\n').map((l) => JSON.parse(l).type)).toEqual(['message', 'message', 'done']);
  });

  it("a client that disconnects mid-stream aborts the run's signal", async () => {
    const { rt, base, server } = await start(() => ({ chunks: Array.from({ length: 50 }, (_, i) => `c${i}`), delayMs: 50 }));
    const ac = new AbortController();
    const res = await fetch(`${base}/api/v1/prompt`, { ...json({ prompt: 'x', output_format: 'stream-json' }), signal: ac.signal });
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    await until(() => rt.calls[0]?.signal?.aborted === true);
    await until(() => server.inFlight === 0);
  });

  it('a finished response does not abort the signal', async () => {
    const { rt, base } = await start();
    await (await fetch(`${base}/api/v1/prompt`, json({ prompt: 'x', output_format: 'stream-json' }))).text();
    await new Promise((r) => setTimeout(r, 50));
    expect(rt.calls[0]!.signal!.aborted).toBe(false);
  });

  it('streams a chunked upload and answers 413 once it passes the limit', async () => {
    const { base } = await start(undefined, { max_request_body_bytes: 1000 });
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(c) {
        if (sent > 100_000) return c.close();
        sent += 500;
        c.enqueue(new Uint8Array(500).fill(120));
        await new Promise((r) => setTimeout(r, 2));
      },
    });
    const res = await fetch(`${base}/api/v1/prompt`, { method: 'POST', body, duplex: 'half' } as RequestInit).catch((e: Error) => e);
    // Either the 413 arrives, or the server closed the socket right after it while we were still sending.
    if (res instanceof Response) {
      expect(res.status).toBe(413);
      expect((await res.json()).code).toBe('PAYLOAD_TOO_LARGE');
    }
    expect(sent).toBeLessThan(100_000);
  });

  it('close() lets a run finish within the grace period', async () => {
    const { base, server } = await start(() => ({ chunks: ['a', 'b', 'c'], delayMs: 60 }));
    const pending = fetch(`${base}/api/v1/prompt`, json({ prompt: 'x' })).then((r) => r.json());
    await until(() => server.inFlight === 1);
    await server.close();
    expect(await pending).toMatchObject({ exit_code: 0, output: 'abc' });
    await expect(fetch(`${base}/health`)).rejects.toThrow();
  });

  it('close() cancels runs still going after the grace period', async () => {
    const { rt, base, server } = await start(() => ({ chunks: Array.from({ length: 100 }, () => 'x'), delayMs: 30 }), {}, 100);
    const pending = fetch(`${base}/api/v1/prompt`, json({ prompt: 'x' })).then((r) => r.json());
    await until(() => server.inFlight === 1);
    const t0 = Date.now();
    await server.close();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(rt.calls[0]!.signal!.aborted).toBe(true);
    await pending.catch(() => undefined); // the client may see the CANCELLED result or a cut connection
  });
});
