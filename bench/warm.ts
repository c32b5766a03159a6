// Warm agents: a 3-turn chat through the server (/openai/v1/chat/completions, conversation reuse),
// cold (warm.enabled: false) vs warm, per backend with a long-lived mode. The fakes are given the
// real CLIs' measured start-up (FAKE_START_MS, warm-protocols.md) so the ratio means something.
// Targets: a warm follow-up turn ≤ 0.1 × a cold turn; a first turn served by a spare ≤ 0.2 ×.
// Also printed: memory of each live agent and of the pool. The same for each real CLI that is installed
// ($CLINVK_REAL_CLIS_DIR or .cache/real-clis), against its loopback model mock (bench/warm-real.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createApp } from '../handlers/app.ts';
import { BACKENDS } from '../runtime/backends/registry.ts';
import { defaultConfig, type Config } from '../runtime/config.ts';
import { createNodeRuntime } from '../runtime/node/index.ts';
import { serve } from '../runtime/node/server.ts';
import { FAKES, median, round, type Row } from './measure.ts';
import { realSetups } from './warm-real.ts';

/** Cold start of each real CLI before it asks the model (warm-protocols.md). */
const START_MS: Record<string, number> = { claude: 800, codex: 800, gemini: 3200 };
const CHATS = 3;
const MB = 1024 * 1024;

interface Setup {
  label: string;
  backend: string;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** Per-turn times (ms) of `CHATS` 3-turn chats on one server, and the pool's memory at the end. */
async function chats(setup: Setup, warm: Partial<Config['warm']>, settleMs = 0): Promise<{ turns: number[][]; agents: number[]; pool: number }> {
  const config = defaultConfig();
  config.warm = { ...config.warm, ...warm };
  const rt = await createNodeRuntime({ env: setup.env, cwd: setup.cwd, mode: 'server', config, warm: true, logLevel: 'error' });
  const app = createApp(rt, { config, apiKeys: [] });
  const server = await serve((req, conn) => app.fetch(req, conn), { host: '127.0.0.1', port: 0, log: rt.log, shutdownGraceMs: 500 });
  const turns: number[][] = [[], [], []];
  let agents: number[] = [];
  let pool = 0;
  try {
    // Before each chat, let the spare finish starting, as it would on a server that has been up for a while:
    // its handshake done, then as long as a cold turn took (claude has no handshake to wait for).
    const spareReady = async () => {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && !(await rt.warm!()).agents.some((a) => a.spare && a.state === 'idle')) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, settleMs));
    };
    for (let c = 0; c < CHATS; c++) {
      if (warm.spares) await spareReady();
      const messages: { role: string; content: string }[] = [];
      for (let t = 0; t < 3; t++) {
        messages.push({ role: 'user', content: `chat ${c} turn ${t}` });
        const started = performance.now();
        const res = await fetch(`${server.url}/openai/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: setup.backend, messages }),
        });
        const body = (await res.json()) as { choices?: { message: { content: string } }[] };
        if (res.status !== 200) throw new Error(`${setup.label}: ${res.status} ${JSON.stringify(body)}`);
        turns[t]!.push(performance.now() - started);
        messages.push({ role: 'assistant', content: body.choices![0]!.message.content });
      }
    }
    const status = await rt.warm?.();
    agents = (status?.agents ?? []).map((a) => a.rssBytes ?? 0);
    pool = status?.rssBytes ?? 0;
  } finally {
    await server.close();
    await rt.close();
  }
  return { turns, agents, pool };
}

async function compare(setup: Setup, withSpare: boolean): Promise<Row[]> {
  const cold = await chats(setup, { enabled: false });
  const warm = await chats(setup, {});
  const coldTurn = median(cold.turns.flat());
  const followUp = median([...warm.turns[1]!, ...warm.turns[2]!]);
  const rows: Row[] = [
    { name: `${setup.label}: cold turn (3-turn chat, median)`, value: round(coldTurn, 0), unit: 'ms' },
    { name: `${setup.label}: warm first turn (spawn)`, value: round(median(warm.turns[0]!), 0), unit: 'ms' },
    { name: `${setup.label}: warm follow-up turn`, value: round(followUp, 0), unit: 'ms', limit: `≤ 0.1 × cold (${round(coldTurn * 0.1, 0)} ms)`, ok: followUp <= 0.1 * coldTurn },
  ];
  if (withSpare) {
    const spare = await chats(setup, { spares: { [setup.backend]: 1 } }, coldTurn + 500);
    const first = median(spare.turns[0]!);
    rows.push({ name: `${setup.label}: first turn on a spare`, value: round(first, 0), unit: 'ms', limit: `≤ 0.2 × cold (${round(coldTurn * 0.2, 0)} ms)`, ok: first <= 0.2 * coldTurn });
  }
  rows.push(
    { name: `${setup.label}: memory per live agent (median)`, value: round(median(warm.agents.length ? warm.agents : [0]) / MB, 1), unit: 'MB' },
    { name: `${setup.label}: memory of the pool (${warm.agents.length} agents)`, value: round(warm.pool / MB, 1), unit: 'MB' },
  );
  return rows;
}

/** BENCH_WARM_ONLY=<words>: only the setups whose label contains one of them (e.g. "real claude", "fake"). */
const wanted = (label: string) => {
  const only = (process.env.BENCH_WARM_ONLY ?? '').split(',').map((w) => w.trim()).filter(Boolean);
  return only.length === 0 || only.some((w) => label.includes(w));
};

export async function rows(): Promise<Row[]> {
  const out: Row[] = [];
  for (const backend of Object.values(BACKENDS).filter((a) => a.warm !== undefined).map((a) => a.name)) {
    if (!wanted(`fake ${backend}`)) continue;
    const home = mkdtempSync(join(tmpdir(), `clinvk-bench-warm-${backend}-`));
    try {
      const env = {
        ...process.env,
        PATH: `${FAKES}${delimiter}${process.env.PATH ?? ''}`,
        HOME: home,
        CLINVK_HOME: join(home, 'clinvk'),
        FAKE_STATE_DIR: join(home, 'fake-state'),
        FAKE_CHUNK_DELAY_MS: '0',
        FAKE_START_MS: String(START_MS[backend] ?? 0),
      };
      out.push(...(await compare({ label: `fake ${backend} (start ${START_MS[backend]} ms)`, backend, env, cwd: home }, true)));
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }
  out.push(...(await realClis()));
  return out;
}

/** The installed real CLIs against their loopback mocks (bench/warm-real.ts). */
async function realClis(): Promise<Row[]> {
  const { setups, close } = await realSetups();
  const out: Row[] = [];
  try {
    for (const setup of setups.filter((x) => wanted(x.label))) out.push(...(await compare(setup, true)));
  } finally {
    await close();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await rows()) console.log(`${r.name.padEnd(56)} ${String(r.value).padStart(8)} ${r.unit.padEnd(3)} ${r.limit ?? ''}${r.ok === undefined ? '' : r.ok ? '  ok' : '  MISSED'}`);
}
