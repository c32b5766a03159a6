// The pool of warm agents: which live process serves which turn. At most `max_agents` processes
// (spares included), one turn at a time per agent, one agent per clinvk session; an agent is reused
// only when what it fixed at its start matches the turn; idle ones go after `idle_secs`, the least
// recently used first when the pool is full; past `max_age_secs` or `max_rss_mb` an agent is
// replaced between turns (it resumes its session). Every process group dies on close().
import { freemem } from 'node:os';
import { warmKey } from '../backends/warm.ts';
import type { Logger, Metrics, WarmStatus } from '../contract.ts';
import type { SpareSpec, WarmPort, WarmTurnEvent, WarmTurnRequest } from '../warm-port.ts';

export type { SpareSpec } from '../warm-port.ts';
import { groupRssBytes } from './proc-mem.ts';
import { startAgent, type WarmAgent } from './warm-agent.ts';

export interface WarmSettings {
  enabled: boolean;
  /** 0 = from free memory: about one per 400 MB, at least 1, at most 8. */
  max_agents: number;
  idle_secs: number;
  spares: Record<string, number>;
  max_age_secs: number;
  max_rss_mb: number;
}

export type EvictionReason = 'idle' | 'lru' | 'age' | 'size' | 'mismatch' | 'died' | 'stale';

export type WarmStats = WarmStatus;

export interface WarmPool extends WarmPort {
  /** Keeps `warm.spares[backend]` initialized processes ready; `spec` builds what they start with. */
  keepSpares(backend: string, spec: () => Promise<SpareSpec | undefined>): void;
  stats(): Promise<WarmStats>;
  /** Stops every agent (protocol goodbye, then the process group). */
  close(): Promise<void>;
}

export const defaultMaxAgents = (free = freemem()): number => Math.max(1, Math.min(8, Math.floor(free / (400 * 1024 * 1024))));

interface Entry {
  agent: WarmAgent;
  spare: boolean;
  /** Its key without the workdir, for spares of a `workdirAtSpawn: false` protocol. */
  keyAnyDir: string;
  idleTimer?: NodeJS.Timeout;
  /** Memory of its process group, measured after its last turn (reading /proc takes tens of ms: never on a turn's path). */
  rssBytes?: number;
}

export function createWarmPool(opts: { settings: WarmSettings; backends: string[]; log?: Logger; metrics?: Metrics; now?: () => number }): WarmPool {
  const s = opts.settings;
  const now = opts.now ?? Date.now;
  const maxAgents = s.max_agents > 0 ? s.max_agents : defaultMaxAgents();
  const entries = new Set<Entry>();
  const bySession = new Map<string, Entry>();
  /** Turns of one session run one after the other, even while its agent is being replaced. */
  const sessionLocks = new Map<string, Promise<void>>();
  const evictions: Partial<Record<EvictionReason, number>> = {};
  const spareSpecs = new Map<string, () => Promise<SpareSpec | undefined>>();
  let closed = false;

  const live = () => [...entries].filter((e) => e.agent.state !== 'dead');
  const gauge = () => {
    for (const b of opts.backends) {
      for (const state of ['starting', 'idle', 'busy']) {
        opts.metrics?.gauge('clinvk_warm_agents', live().filter((e) => e.agent.backend === b && e.agent.state === state).length, { backend: b, state });
      }
    }
  };

  const forget = (e: Entry) => {
    clearTimeout(e.idleTimer);
    entries.delete(e);
    if (e.agent.owner !== undefined && bySession.get(e.agent.owner) === e) bySession.delete(e.agent.owner);
    gauge();
  };
  const retire = (e: Entry, reason: EvictionReason) => {
    evictions[reason] = (evictions[reason] ?? 0) + 1;
    opts.metrics?.inc('clinvk_warm_evictions_total', { backend: e.agent.backend, reason });
    opts.log?.debug({ pid: e.agent.pid, backend: e.agent.backend, reason }, 'retiring warm agent');
    forget(e);
    void e.agent.stop();
  };
  const armIdle = (e: Entry) => {
    clearTimeout(e.idleTimer);
    if (e.spare || s.idle_secs <= 0) return;
    e.idleTimer = setTimeout(() => e.agent.state === 'idle' && retire(e, 'idle'), s.idle_secs * 1000);
    e.idleTimer.unref();
  };

  /** Room for one more process: evicts the least recently used idle agent when full. */
  const makeRoom = (): boolean => {
    const alive = live();
    if (alive.length < maxAgents) return true;
    const idle = alive.filter((e) => e.agent.state === 'idle').sort((a, b) => a.agent.lastUsed - b.agent.lastUsed);
    const victim = idle.find((e) => !e.spare) ?? idle[0];
    if (!victim) return false;
    retire(victim, 'lru');
    return true;
  };

  const spawn = (spec: SpareSpec, resumeId: string | undefined, spare: boolean): Entry => {
    const start = spec.protocol.resumeAtSpawn && resumeId !== undefined ? { ...spec.start, resumeId } : spec.start;
    const agent = startAgent({
      backend: spec.backend,
      protocol: spec.protocol,
      binary: spec.binary,
      start,
      env: spec.env,
      key: keyOf(spec),
      now,
      ...(opts.log ? { log: opts.log } : {}),
    });
    const e: Entry = { agent, spare, keyAnyDir: keyOf(spec, true) };
    entries.add(e);
    agent.onExit(() => {
      if (!entries.has(e)) return;
      evictions.died = (evictions.died ?? 0) + 1;
      opts.metrics?.inc('clinvk_warm_evictions_total', { backend: agent.backend, reason: 'died' });
      forget(e);
      if (spare) refillSpares(agent.backend);
    });
    gauge();
    return e;
  };

  const refilling = new Set<string>();
  const refillSpares = (backend: string) => {
    const want = s.spares[backend] ?? 0;
    const spec = spareSpecs.get(backend);
    if (closed || !spec || want <= 0 || refilling.has(backend)) return;
    refilling.add(backend);
    void spec()
      .then((sp) => {
        if (!sp || closed) return;
        while (live().filter((e) => e.spare && e.agent.backend === backend).length < want && live().length < maxAgents) spawn(sp, undefined, true);
      })
      .catch((err) => opts.log?.info({ backend, err: (err as Error)?.message }, 'no warm spare'))
      .finally(() => refilling.delete(backend));
  };

  /** Whether a live agent can serve this turn as it is. */
  const measure = (e: Entry) => {
    if (e.agent.pid === undefined) return;
    void groupRssBytes(e.agent.pid).then((rss) => {
      if (rss !== undefined) e.rssBytes = rss;
    });
  };

  const fits = (e: Entry, req: WarmTurnRequest): EvictionReason | undefined => {
    const a = e.agent;
    // A continued chat does not send its system prompt again (compat doors): the agent keeps the one it started with.
    const start = req.start.systemPrompt === undefined && a.start.systemPrompt !== undefined ? { ...req.start, systemPrompt: a.start.systemPrompt } : req.start;
    if (a.key !== keyOf({ ...req, start })) return 'mismatch';
    if (req.resumeId !== undefined && a.nativeId !== undefined && a.nativeId !== req.resumeId) return 'stale';
    // More turns recorded than it served: a cold turn ran meanwhile (e.g. `clinvk resume`), so it lacks them.
    // Fewer is fine: the turn was planned while the one before it still ran.
    if (req.sessionTurns !== undefined && a.sessionTurns !== undefined && req.sessionTurns > a.sessionTurns) return 'stale';
    if (s.max_age_secs > 0 && now() - a.startedAt > s.max_age_secs * 1000) return 'age';
    if (s.max_rss_mb > 0 && (e.rssBytes ?? 0) > s.max_rss_mb * 1024 * 1024) return 'size';
    return undefined;
  };

  const takeSpare = (req: WarmTurnRequest): Entry | undefined => {
    if (req.resumeId !== undefined && req.protocol.resumeAtSpawn) return undefined; // its session is fixed on its command line
    // A protocol that sets the cwd per session (gemini session/new) lets a spare serve any workdir.
    const anyDir = req.protocol.workdirAtSpawn === false;
    const key = keyOf(req, anyDir);
    const e = live().find((x) => x.spare && x.agent.backend === req.backend && (anyDir ? x.keyAnyDir : x.agent.key) === key && x.agent.state !== 'busy');
    if (!e) return undefined;
    e.spare = false;
    e.agent.key = keyOf(req); // its session takes the turn's workdir: later turns match on it
    // Not refilled here: starting the replacement (a CLI start is ~1 s of CPU) during the turn the spare
    // was kept for slows that very turn on a small machine. turn() refills once the turn is over.
    return e;
  };

  async function* turn(req: WarmTurnRequest, signal: AbortSignal): AsyncGenerator<WarmTurnEvent> {
    const lockKey = req.sessionId;
    let release = () => {};
    let tookSpare = false;
    if (lockKey !== undefined) {
      const before = sessionLocks.get(lockKey) ?? Promise.resolve();
      const mine = new Promise<void>((r) => (release = r));
      const chained = before.then(() => mine);
      sessionLocks.set(lockKey, chained);
      // Waiting for the session's running turn; a caller who gives up meanwhile (disconnect, cancel) stops waiting.
      await Promise.race([before, new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })))]);
      void chained.then(() => sessionLocks.get(lockKey) === chained && sessionLocks.delete(lockKey));
    }
    try {
      if (signal.aborted) {
        // The engine records this cancelled turn too: the session's agent counts it, so it does not look stale.
        const owned = lockKey !== undefined ? bySession.get(lockKey) : undefined;
        if (owned?.agent.sessionTurns !== undefined) owned.agent.sessionTurns += 1;
        yield { type: 'end', code: null, signal: null, reason: 'aborted', stderr: '' };
        return;
      }
      let e = lockKey !== undefined ? bySession.get(lockKey) : undefined;
      if (e && e.agent.state !== 'dead') {
        const why = fits(e, req);
        if (why) {
          retire(e, why);
          e = undefined;
        }
      } else e = undefined;
      // A protocol that cannot take over a native session in a new process (gemini 0.61.0's session/load
      // erases it): with no live agent of its own, the turn goes cold at once, burning no spare or start.
      if (!e && req.resumeId !== undefined && req.protocol.resumeLive === false) {
        yield { type: 'end', code: null, signal: null, stderr: '', fallback: `a live ${req.backend} process cannot take over an existing session`, quiet: true };
        return;
      }
      let reused = e !== undefined;
      if (!e) {
        e = takeSpare(req);
        reused = e !== undefined;
        tookSpare = reused;
      }
      if (!e) {
        if (closed || !makeRoom()) {
          yield { type: 'end', code: null, signal: null, stderr: '', fallback: 'no room for another live agent', quiet: true };
          return;
        }
        e = spawn(req, req.resumeId, false);
      }
      clearTimeout(e.idleTimer);
      const entry = e;
      const agent = e.agent;
      if (agent.pid !== undefined) yield { type: 'agent', pid: agent.pid, reused };
      const turnOpts = {
        prompt: req.prompt,
        ...(req.attachments?.length ? { attachments: req.attachments } : {}),
        ...(req.resumeId !== undefined && !req.protocol.resumeAtSpawn && req.protocol.resumeLive !== false ? { resumeId: req.resumeId } : {}),
        ...(req.protocol.workdirAtSpawn === false ? { workdir: req.start.workdir } : {}),
        ...(req.timeoutMs !== undefined ? { timeoutMs: req.timeoutMs } : {}),
        ...(req.idleTimeoutMs !== undefined ? { idleTimeoutMs: req.idleTimeoutMs } : {}),
      };
      opts.metrics?.inc('clinvk_warm_turns_total', { backend: req.backend, agent: reused ? 'reused' : 'new' });
      gauge();
      for await (const ev of agent.turn(turnOpts, signal)) {
        if (ev.type === 'end') {
          const owner = ev.fallback === undefined ? req.owner() : undefined;
          if (agent.state === 'idle' && owner !== undefined && !closed) {
            if (bySession.get(owner) !== entry) bySession.get(owner) && retire(bySession.get(owner)!, 'stale');
            agent.owner = owner;
            agent.sessionTurns = Math.max(agent.sessionTurns ?? 0, req.sessionTurns ?? 0) + 1;
            bySession.set(owner, entry);
            armIdle(entry);
            measure(entry);
          } else if (agent.state !== 'dead') {
            retire(entry, 'mismatch'); // nobody can continue it (no session recorded) or a broken turn
          } else forget(entry);
          gauge();
        }
        yield ev;
      }
    } finally {
      release();
      if (tookSpare) refillSpares(req.backend);
    }
  }

  return {
    accepts: (backend) => s.enabled && !closed && opts.backends.includes(backend),
    turn,
    keepSpares(backend, spec) {
      spareSpecs.set(backend, spec);
      refillSpares(backend);
    },
    async stats() {
      const agents = await Promise.all(
        live().map(async (e) => {
          const rss = e.agent.pid === undefined ? undefined : await groupRssBytes(e.agent.pid);
          if (rss !== undefined) e.rssBytes = rss;
          return {
            pid: e.agent.pid ?? 0,
            backend: e.agent.backend,
            state: e.agent.state,
            spare: e.spare,
            ...(e.agent.owner !== undefined ? { session: e.agent.owner } : {}),
            turns: e.agent.turns,
            ageSecs: Math.round((now() - e.agent.startedAt) / 1000),
            ...(rss !== undefined ? { rssBytes: rss } : {}),
          };
        }),
      );
      const rssBytes = agents.reduce((n, a) => n + (a.rssBytes ?? 0), 0);
      opts.metrics?.gauge('clinvk_warm_memory_bytes', rssBytes);
      return { enabled: s.enabled, maxAgents, agents, spares: agents.filter((a) => a.spare).length, evictions: { ...evictions }, rssBytes };
    },
    async close() {
      closed = true;
      const all = [...entries];
      for (const e of all) forget(e);
      await Promise.all(all.map((e) => e.agent.stop()));
    },
  };
}

/** What a live agent fixed at its start; `anyDir`: without the workdir (matching a spare of a `workdirAtSpawn: false` protocol). */
const keyOf = (r: { backend: string; binary: string; start: WarmTurnRequest['start'] }, anyDir = false) =>
  `${r.backend}\u0000${r.binary}\u0000${warmKey(anyDir ? { ...r.start, workdir: '' } : r.start)}`;
