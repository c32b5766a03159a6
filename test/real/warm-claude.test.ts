// The real claude in its long-lived mode (`--input-format stream-json`), offline against a loopback
// Anthropic mock, driven through the engine and the pool: three turns on one live process with the
// history kept, and an interrupt that cancels a turn without killing the agent.
// Skips with one line when the real claude is not installed (see harness.ts: `npm run test:real` installs it).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../runtime/config.ts';
import { collect } from '../../runtime/engine.ts';
import { createNodeRuntime, type NodeRuntime } from '../../runtime/node/index.ts';
import { anthropicMock } from '../fixtures/anthropic-mock.ts';
import { alive } from '../fixtures/proc.ts';
import { REAL_BIN, skipUnless } from './harness.ts';

const bin = REAL_BIN;
const present = !skipUnless('claude');

describe.skipIf(!present)('real claude, long-lived mode', () => {
  let mock: Server;
  let rt: NodeRuntime;
  let scratch: string;

  beforeAll(async () => {
    mock = await anthropicMock();
    scratch = mkdtempSync(join(tmpdir(), 'clinvk-real-warm-'));
    const home = join(scratch, 'home');
    const repo = join(scratch, 'repo');
    mkdirSync(home);
    mkdirSync(repo);
    execFileSync('git', ['init', '-q'], { cwd: repo });
    const env = {
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      HOME: home,
      CLINVK_HOME: join(scratch, 'clinvk'),
      ANTHROPIC_BASE_URL: `http://127.0.0.1:${(mock.address() as AddressInfo).port}`,
      ANTHROPIC_API_KEY: 'sk-ant-mock',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    };
    rt = await createNodeRuntime({ env, cwd: repo, mode: 'server', config: defaultConfig(), warm: true, logLevel: 'error' });
  });
  afterAll(async () => {
    await rt?.close();
    mock?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('three turns on one live process keep the history; an interrupt cancels a turn and the agent lives on', async () => {
    const first = await collect(rt.run({ backend: 'claude', prompt: 'say alpha' }));
    expect(first.error).toBeUndefined();
    expect(first.output).toBe('seen: alpha');
    const sid = first.sessionId!;
    const [agent] = (await rt.warm!()).agents;
    const second = await collect(rt.run({ backend: 'claude', prompt: 'say beta', sessionId: sid }));
    expect(second.output).toBe('seen: alpha,beta');
    const ac = new AbortController();
    const slow = collect(rt.run({ backend: 'claude', prompt: 'be SLOW gamma', sessionId: sid }, ac.signal));
    setTimeout(() => ac.abort(), 1500);
    expect((await slow).error?.code).toBe('CANCELLED');
    const third = await collect(rt.run({ backend: 'claude', prompt: 'say delta', sessionId: sid }));
    expect(third.error).toBeUndefined();
    expect(third.output).toMatch(/^seen: alpha,beta,.*delta$/);
    const status = await rt.warm!();
    expect(status.agents).toHaveLength(1);
    expect(status.agents[0]).toMatchObject({ pid: agent!.pid, turns: 4, state: 'idle' });
    expect(status.agents[0]!.rssBytes).toBeGreaterThan(50 * 1024 * 1024);
    const session = await rt.sessions.get(sid);
    expect(session).toMatchObject({ turnCount: 4, backendSessionId: first.backendSessionId });
    await rt.close();
    const deadline = Date.now() + 15_000;
    while (alive(agent!.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(alive(agent!.pid)).toBe(false);
  }, 120_000);
});
