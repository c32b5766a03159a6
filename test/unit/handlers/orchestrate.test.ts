// POST /api/v1/parallel, /chain, /compare through the app, on the real orchestrator over a fake Runtime.
import { describe, expect, it } from 'vitest';
import { fakeRuntime, json, testApp, url } from './fake-runtime.ts';

const post = (path: string, body: unknown) => new Request(url(path), json(body));

describe('orchestration routes', () => {
  it('parallel runs every task and summarises', async () => {
    const rt = fakeRuntime((inv) => (inv.prompt === 'bad' ? { error: { code: 'BACKEND_FAILED', message: 'no' } } : {}));
    const res = await testApp(rt).fetch(post('/api/v1/parallel', { tasks: [{ prompt: 'a', name: 'first' }, { prompt: 'bad', backend: 'codex' }], max_parallel: 2 }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ total_tasks: 2, completed: 1, failed: 1 });
    expect(body.results).toHaveLength(2);
    expect(rt.calls.map((c) => c.inv.backend).sort()).toEqual(['claude', 'codex']);
  });

  it('parallel refuses output_dir over HTTP and validates the body', async () => {
    const app = testApp(fakeRuntime());
    const dir = await app.fetch(post('/api/v1/parallel', { tasks: [{ prompt: 'a' }], output_dir: '/tmp/x' }));
    expect(dir.status).toBe(400);
    expect((await dir.json()).detail).toMatch(/^output_dir/);
    const empty = await app.fetch(post('/api/v1/parallel', { tasks: [] }));
    expect(empty.status).toBe(400);
    expect((await empty.json()).detail).toMatch(/tasks must not be empty/);
  });

  it('chain passes {{previous}} on and reports steps', async () => {
    const rt = fakeRuntime((inv) => ({ chunks: [`out:${inv.prompt}`] }));
    const res = await testApp(rt).fetch(post('/api/v1/chain', { steps: [{ prompt: 'one', name: 's1' }, { prompt: 'two after {{previous}}' }] }));
    const body = await res.json();
    expect(body).toMatchObject({ total_steps: 2, completed_steps: 2 });
    expect(body.results.map((r: { step: number }) => r.step)).toEqual([1, 2]);
    expect(rt.calls[1]!.inv.prompt).toBe('two after out:one');
  });

  it('chain stops at the first failure', async () => {
    const rt = fakeRuntime((_inv, n) => (n === 1 ? { error: { code: 'BACKEND_FAILED', message: 'x' } } : {}));
    const body = await (await testApp(rt).fetch(post('/api/v1/chain', { steps: [{ prompt: 'a' }, { prompt: 'b' }] }))).json();
    expect(body.failed_step).toBe(1);
    expect(rt.calls).toHaveLength(1);
  });

  it('compare asks the named backends', async () => {
    const rt = fakeRuntime();
    const body = await (await testApp(rt).fetch(post('/api/v1/compare', { prompt: 'q', backends: ['claude', 'codex'] }))).json();
    expect(body).toMatchObject({ prompt: 'q', backends: ['claude', 'codex'] });
    expect(body.results).toHaveLength(2);
    expect(rt.calls.map((c) => c.inv.backend).sort()).toEqual(['claude', 'codex']);
  });
});
