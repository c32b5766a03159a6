// Server overhead: POST /api/v1/prompt against an instant fake backend at 1/16/64 clients, next to
// spawning the same fake command directly from Node at the same concurrency (the limit: a server
// cannot be faster than the process it runs). Target: server p50 ≤ 1.05 × direct p50 at 16 clients.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../handlers/app.ts';
import { serve } from '../runtime/node/server.ts';

import type { Row } from './measure.ts';

const FAKES = fileURLToPath(new URL('../test/fixtures/fake-clis', import.meta.url));
const LEVELS = [1, 16, 64];
const BODY = JSON.stringify({ backend: 'claude', prompt: 'bench', ephemeral: true });

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/** `total` calls of `once`, `clients` at a time; latencies in ms and requests per second. */
async function load(clients: number, total: number, once: () => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next++ < total) {
        const s = performance.now();
        await once();
        latencies.push(performance.now() - s);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / secs, p50: pct(latencies, 50), p99: pct(latencies, 99) };
}

function spawnOnce(cmd: { binary: string; args: string[]; cwd: string }, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd.binary, cmd.args, { cwd: cmd.cwd, env, stdio: ['ignore', 'pipe', 'ignore'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`fake exited ${code}`))));
  });
}

export async function rows(): Promise<Row[]> {
  const home = mkdtempSync(join(tmpdir(), 'clinvk-bench-server-'));
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${FAKES}${delimiter}${process.env.PATH ?? ''}`, CLINVK_HOME: home, CLINVK_CONFIG: join(home, 'config.yaml'), FAKE_CHUNK_DELAY_MS: '0', FAKE_CHUNKS: '1', FAKE_STATE_DIR: join(home, 'fake-state') };
  const { createNodeRuntime } = await import('../runtime/node/index.ts');
  const rt = await createNodeRuntime({ env: env as Record<string, string>, cwd: home, mode: 'server' });
  const app = createApp(rt, { config: { ...rt.config, server: { ...rt.config.server, max_concurrent_runs: 64 } }, apiKeys: [] });
  const server = await serve((req, conn) => app.fetch(req, conn), { host: '127.0.0.1', port: 0, log: rt.log });
  const out: Row[] = [];
  try {
    const post = (body: string) => fetch(`${server.url}/api/v1/prompt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    // The exact command the engine runs, so the direct baseline spawns the same thing.
    const dry = (await (await post(JSON.stringify({ backend: 'claude', prompt: 'bench', ephemeral: true, dry_run: true }))).json()) as { command: { binary: string; args: string[]; cwd: string } };
    const viaServer = async () => {
      const res = await post(BODY);
      const r = (await res.json()) as { exit_code?: number };
      if (res.status !== 200 || r.exit_code !== 0) throw new Error(`server answered ${res.status}: ${JSON.stringify(r)}`);
    };
    const direct = () => spawnOnce(dry.command, env);
    for (let i = 0; i < 5; i++) await Promise.all([viaServer(), direct()]); // warm up both paths
    for (const clients of LEVELS) {
      const total = Math.max(40, clients * 4);
      const d = await load(clients, total, direct);
      const s = await load(clients, total, viaServer);
      const target = clients === 16;
      out.push(
        { name: `server prompt rps (${clients} clients)`, value: round(s.rps, 1), unit: 'req/s', limit: `direct spawn ${round(d.rps, 1)} req/s` },
        {
          name: `server prompt p50 (${clients} clients)`,
          value: round(s.p50),
          unit: 'ms',
          limit: `${target ? '≤ 1.05 × ' : ''}direct spawn p50 ${round(d.p50)} ms`,
          ...(target ? { ok: s.p50 <= 1.05 * d.p50 } : {}),
        },
        { name: `server prompt p99 (${clients} clients)`, value: round(s.p99), unit: 'ms', limit: `direct spawn p99 ${round(d.p99)} ms` },
      );
    }
  } finally {
    await server.close();
    rmSync(home, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await rows()) console.log(`${r.name.padEnd(36)} ${String(r.value).padStart(9)} ${r.unit.padEnd(6)} ${r.limit ?? ''}${r.ok === undefined ? '' : r.ok ? '  ok' : '  OVER'}`);
}
