// /health, /metrics, /openapi.json.
import { ClinvkError } from '../../../runtime/contract.ts';
import { describe, expect, it } from 'vitest';
import { formatUptime } from '../../../handlers/system.ts';
import { BACKENDS, fakeRuntime, testApp, url } from './fake-runtime.ts';

describe('system routes', () => {
  it('/health reports status, version, uptime, backends and the store', async () => {
    let t = 1_000;
    const app = testApp(fakeRuntime(), { now: () => t });
    t += 3_723_000;
    const res = await app.fetch(new Request(url('/health')));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'degraded', // gemini is enabled but missing
      version: '9.9.9-test',
      uptime: '1h2m3s',
      uptime_millis: 3_723_000,
      backends: [{ name: 'claude', available: true, version: '2.1.0' }, { name: 'codex', available: true }, { name: 'gemini', available: false }],
      session_store: { available: true, session_count: 0 },
    });
  });

  it('/health is ok when every enabled backend is there, unhealthy (503) when none or the store fails', async () => {
    const ok = await (await testApp(fakeRuntime(undefined, { backends: BACKENDS.slice(0, 2) })).fetch(new Request(url('/health')))).json();
    expect(ok.status).toBe('ok');
    const none = await testApp(fakeRuntime(undefined, { backends: [] })).fetch(new Request(url('/health')));
    expect(none.status).toBe(503);
    const rt = fakeRuntime();
    rt.sessions.count = async () => {
      throw new ClinvkError('SESSION_STORE', 'could not read the session index: the disk is full');
    };
    const broken = await (await testApp(rt).fetch(new Request(url('/health')))).json();
    expect(broken).toMatchObject({ status: 'unhealthy', session_store: { available: false, error: 'could not read the session index: the disk is full' } });
  });

  it('HEAD /health answers the same status with no body', async () => {
    const ok = await testApp(fakeRuntime()).fetch(new Request(url('/health'), { method: 'HEAD' }));
    expect(ok.status).toBe(200);
    expect(ok.body).toBeNull();
    const none = await testApp(fakeRuntime(undefined, { backends: [] })).fetch(new Request(url('/health'), { method: 'HEAD' }));
    expect(none.status).toBe(503);
  });

  it('formats uptime like Go durations', () => {
    expect(formatUptime(5_000)).toBe('5s');
    expect(formatUptime(65_000)).toBe('1m5s');
    expect(formatUptime(3_600_000)).toBe('1h0m0s');
  });

  it('/metrics is 404 unless enabled, then Prometheus text', async () => {
    expect((await testApp(fakeRuntime()).fetch(new Request(url('/metrics')))).status).toBe(404);
    const app = testApp(fakeRuntime(), { server: { metrics_enabled: true } });
    await app.fetch(new Request(url('/health')));
    const res = await app.fetch(new Request(url('/metrics')));
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain('clinvk_requests_total{method="GET",route="/health",status="200"} 1');
    expect(text).toContain('clinvk_request_duration_seconds');
  });

  it('/openapi.json describes the REST API from the zod schemas', async () => {
    const doc = await (await testApp(fakeRuntime()).fetch(new Request(url('/openapi.json')))).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('9.9.9-test');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/prompt', '/api/v1/parallel', '/api/v1/chain', '/api/v1/compare', '/api/v1/sessions/{id}', '/health']));
    const prompt = doc.components.schemas.PromptRequest;
    expect(prompt.required).toEqual(['prompt']);
    expect(prompt.properties.approval_mode.enum).toEqual(['default', 'auto', 'none', 'always']);
    expect(doc.components.schemas.RunResult.properties.exit_code.type).toBe('integer');
  });
});
