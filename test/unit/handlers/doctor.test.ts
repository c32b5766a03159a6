// GET /api/v1/doctor as a pure handler: it asks the runtime and says so plainly where it cannot (a Worker).
import { describe, expect, it } from 'vitest';
import type { DoctorOptions, DoctorReport } from '../../../runtime/contract.ts';
import { fakeRuntime, testApp, url } from './fake-runtime.ts';

const report: DoctorReport = { ok: false, version: '9.9.9-test', checks: [{ id: 'backend.claude', backend: 'claude', status: 'fail', message: 'claude not found', fix: 'install it' }] };

describe('GET /api/v1/doctor', () => {
  it("answers the runtime's report and passes live on", async () => {
    const seen: DoctorOptions[] = [];
    const rt = { ...fakeRuntime(), doctor: async (o: DoctorOptions = {}) => (seen.push(o), report) };
    const res = await testApp(rt).fetch(new Request(url('/api/v1/doctor')));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(report);
    await testApp(rt).fetch(new Request(url('/api/v1/doctor?live=true')));
    expect(seen.map((o) => o.live)).toEqual([false, true]);
  });

  it('a runtime without the doctor (the Worker) answers 501 with where to look', async () => {
    const res = await testApp(fakeRuntime()).fetch(new Request(url('/api/v1/doctor')));
    expect(res.status).toBe(501);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    const body = await res.json();
    expect(body.detail).toMatch(/not available on the edge/);
    expect(body.hint).toMatch(/clinvk doctor/);
  });

  it('is in /openapi.json', async () => {
    const spec = await (await testApp(fakeRuntime()).fetch(new Request(url('/openapi.json')))).json();
    expect(spec.paths['/api/v1/doctor'].get.responses['200']).toBeDefined();
    expect(spec.components.schemas.DoctorReport).toBeDefined();
  });
});
