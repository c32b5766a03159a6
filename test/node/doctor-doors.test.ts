// The doctor through its other doors, on a Node runtime over the fake CLIs: GET /api/v1/doctor
// (behind the API key) and the MCP clinvk_backends tool report the same checks as the CLI.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { doctorReportSchema } from '../../handlers/schemas/doctor.ts';
import { createMcpServer } from '../../mcp/server.ts';
import type { DoctorReport } from '../../runtime/contract.ts';
import { createNodeRuntime } from '../../runtime/node/index.ts';
import { testApp, url } from '../unit/handlers/fake-runtime.ts';
import { machine } from './doctor-helpers.ts';

const ids = (r: DoctorReport) => r.checks.map((c) => `${c.id}:${c.status}`);

describe('GET /api/v1/doctor', () => {
  it('answers the report behind the API key; live=1 adds the live prompts', async () => {
    const m = machine({ env: { FAKE_LOGGED_OUT: 'codex', FAKE_CHUNK_DELAY_MS: '1' } });
    m.env.FAKE_LOG = join(m.home, 'fake-calls.log');
    const rt = await createNodeRuntime({ env: m.env, cwd: m.home, mode: 'server' });
    try {
      const app = testApp(rt, { apiKeys: ['secret-key'] });
      expect((await app.fetch(new Request(url('/api/v1/doctor')))).status).toBe(401);
      const res = await app.fetch(new Request(url('/api/v1/doctor'), { headers: { authorization: 'Bearer secret-key' } }));
      expect(res.status).toBe(200);
      const body = doctorReportSchema.parse(await res.json());
      expect(body.ok).toBe(true); // codex is not the default backend: a warning
      expect(ids(body)).toEqual(['node:ok', 'backend.claude:ok', 'auth.claude:ok', 'backend.codex:ok', 'auth.codex:warn', 'backend.gemini:ok', 'auth.gemini:ok', 'sandbox.codex:ok', 'config:ok', 'sessions:ok']);
      // Home-relative paths only: the server's home folder stays out of the answer.
      expect(JSON.stringify(body)).not.toContain(m.home);
      // The server sends no absolute path at all: each is cut to its last part.
      expect(body.checks.find((c) => c.id === 'backend.claude')!.message).toMatch(/^claude [\d.]+ at …\/claude \(tested: /);
      expect(JSON.stringify(body)).not.toMatch(/test\/fixtures/);
      // Within 30 s the server answers from that report (doctor-cache.ts): no backend is asked again.
      const asked = () => readFileSync(m.env.FAKE_LOG!, 'utf8').split('\n').filter(Boolean).length;
      const before = asked();
      expect(before).toBeGreaterThan(0);
      const again = await app.fetch(new Request(url('/api/v1/doctor'), { headers: { authorization: 'Bearer secret-key' } }));
      expect(await again.json()).toEqual(body);
      expect(asked()).toBe(before);

      const live = doctorReportSchema.parse(await (await app.fetch(new Request(url('/api/v1/doctor?live=1'), { headers: { authorization: 'Bearer secret-key' } }))).json());
      expect(ids(live)).toEqual(expect.arrayContaining(['live.claude:ok', 'live.gemini:ok', 'live.codex:skip']));

      const bad = await app.fetch(new Request(url('/api/v1/doctor?live=maybe'), { headers: { authorization: 'Bearer secret-key' } }));
      expect(bad.status).toBe(400);
      expect((await bad.json()).detail).toMatch(/^live: /);
    } finally {
      await rt.close();
    }
  });
});

describe('MCP clinvk_backends', () => {
  it('keeps its backends list and adds the doctor report, as structured content and text', async () => {
    const m = machine({ env: { FAKE_LOGGED_OUT: 'claude', FAKE_CHUNK_DELAY_MS: '1' } });
    const rt = await createNodeRuntime({ env: m.env, cwd: m.home, mode: 'server' });
    const server = createMcpServer(rt, { defaultBackend: 'claude' });
    const [ct, st] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'test', version: '0' });
    try {
      await Promise.all([server.connect(st), client.connect(ct)]);
      const r = (await client.callTool({ name: 'clinvk_backends', arguments: {} })) as CallToolResult;
      expect(r.isError).toBeFalsy();
      const sc = r.structuredContent as { backends: { name: string; available: boolean }[]; doctor: DoctorReport };
      expect(sc.backends.map((b) => [b.name, b.available])).toEqual([['claude', true], ['codex', true], ['gemini', true]]);
      expect(sc.doctor.ok).toBe(false);
      expect(sc.doctor.checks.find((c) => c.id === 'auth.claude')).toMatchObject({ status: 'fail', message: 'claude is not logged in (claude auth status)' });
      const text = (r.content[0] as { text: string }).text;
      expect(text).toMatch(/^claude: available/);
      expect(text).toMatch(/Checks \(clinvk doctor\): problems found/);
      expect(text).toMatch(/✗ claude is not logged in \(claude auth status\)\n {2}fix: run `claude auth login`/);

      const live = (await client.callTool({ name: 'clinvk_backends', arguments: { live: true } })) as CallToolResult;
      const checks = (live.structuredContent as { doctor: DoctorReport }).doctor.checks;
      expect(checks.find((c) => c.id === 'live.codex')).toMatchObject({ status: 'ok' });
      expect(checks.find((c) => c.id === 'live.claude')).toMatchObject({ status: 'skip' });
    } finally {
      await client.close();
      await rt.close();
    }
  });
});
