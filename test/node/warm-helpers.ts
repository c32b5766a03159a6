// Shared by the warm-agent tests: a Node runtime with the pool on and the fake CLIs on PATH, the
// fake's log (one `turn` line per turn, with the pid of the process that served it), /proc checks.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultConfig, type Config } from '../../runtime/config.ts';
import { collect } from '../../runtime/engine.ts';
import type { Invocation, RunEvent } from '../../runtime/contract.ts';
import { createNodeRuntime, type NodeRuntime } from '../../runtime/node/index.ts';
import { alive } from '../fixtures/proc.ts';
import { readFakeLog } from '../fixtures/fake-log.ts';

export const FAKES = fileURLToPath(new URL('../fixtures/fake-clis', import.meta.url));

export interface WarmEnv {
  home: string;
  log: string;
  env: Record<string, string | undefined>;
}

export function warmEnv(extra: Record<string, string> = {}): WarmEnv {
  const home = mkdtempSync(join(tmpdir(), 'clinvk-warm-'));
  const log = join(home, 'fake.log');
  return {
    home,
    log,
    env: {
      ...process.env,
      PATH: `${FAKES}${delimiter}${process.env.PATH ?? ''}`,
      HOME: home,
      CLINVK_HOME: join(home, 'clinvk'),
      CLINVK_CONFIG: join(home, 'config.yaml'),
      FAKE_STATE_DIR: join(home, 'fake-state'),
      FAKE_LOG: log,
      FAKE_CHUNK_DELAY_MS: '0',
      ...extra,
    },
  };
}

export async function warmRuntime(w: WarmEnv, opts: { warm?: Partial<Config['warm']>; warmOn?: boolean; mode?: 'server' | 'cli' } = {}): Promise<NodeRuntime> {
  const config = defaultConfig();
  // max_agents 8, not the default taken from the machine's free memory, so the pool's size never depends on the machine.
  config.warm = { ...config.warm, max_agents: 8, ...opts.warm };
  return createNodeRuntime({ env: w.env, cwd: w.home, mode: opts.mode ?? 'server', config, warm: opts.warmOn ?? true });
}

export interface FakeLogLine {
  cli: string;
  phase: string;
  pid: number;
  turn?: number;
  prompt?: string;
  argv: string[];
}

export const fakeLog = (w: WarmEnv): FakeLogLine[] => readFakeLog<FakeLogLine>(w.log);

/** pids of the processes that served turns, in order. */
export const turnPids = (w: WarmEnv): number[] => fakeLog(w).filter((l) => l.phase === 'turn').map((l) => l.pid);
/** Every process the fake started (cold runs and live agents). */
export const startedPids = (w: WarmEnv): number[] => fakeLog(w).filter((l) => l.phase === 'start').map((l) => l.pid);

export async function runAll(rt: NodeRuntime, inv: Invocation, signal?: AbortSignal): Promise<{ events: RunEvent[]; result: Awaited<ReturnType<typeof collect>> }> {
  const events: RunEvent[] = [];
  const result = await collect(rt.run(inv, signal), (e) => events.push(e));
  return { events, result };
}

export const until = async (cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Every pid the fake ever started is gone (zombies count as gone). */
export const noneAlive = (w: WarmEnv): boolean => startedPids(w).every((p) => !alive(p));
