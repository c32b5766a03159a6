// Load through a live `clinvk serve` child process: hundreds of requests mixing REST, OpenAI and
// Anthropic (streamed and not) against a small run cap, so the overload path is exercised too.
// Every attempt must be answered: 200 with its own whole answer, or the surface's own 503 OVERLOADED
// (with Retry-After), after which the client sends it again. Afterwards: exactly one backend process
// per request, each ended normally and gone, the run gate empty, and the server's memory flat.
import { afterAll, describe, expect, it } from 'vitest';
import { FULL } from './full.ts';
import { childrenOf } from '../fixtures/proc.ts';
import { ask, cleanupServers, expectAllGone, readAnswer, sleep, startLiveServer, until, SURFACES, type LiveServer, type Surface } from './live-server.ts';
import { workBound, type WorkBound } from './work-bound.ts';

afterAll(cleanupServers);

const BACKENDS = ['claude', 'codex', 'gemini'] as const;
const KINDS: [Surface, boolean][] = [
  ['rest', false],
  ['rest', true],
  ['openai', false],
  ['openai', true],
  ['anthropic', false],
  ['anthropic', true],
];

interface Tally {
  /** Requests answered 200 with their own whole answer. */
  ok: number;
  /** Attempts refused with the surface's 503 OVERLOADED (then retried). */
  overloaded: number;
  bySurface: Record<Surface, { ok: number; overloaded: number }>;
  failures: string[];
  ms: number;
}

// A client gives up after this many refusals of one request. Not a speed limit: on a busy machine a
// run takes longer, so a request is refused more often before a slot frees (40 ran out there); the
// round's time bound is what catches a server that never serves.
const MAX_ATTEMPTS = 200;

/**
 * `total` requests, `concurrency` clients at a time. A refused request waits (`backoff`) and is sent
 * again, as a client would, until it is served: every request ends in exactly one run.
 */
async function drive(server: LiveServer, total: number, concurrency: number, prefix: string, backoff: (retryAfterSecs: number) => number): Promise<Tally> {
  const t: Tally = { ok: 0, overloaded: 0, failures: [], ms: 0, bySurface: { rest: { ok: 0, overloaded: 0 }, openai: { ok: 0, overloaded: 0 }, anthropic: { ok: 0, overloaded: 0 } } };
  const t0 = Date.now();
  let next = 0;
  /** One attempt: true when served, false when refused (overloaded). */
  const attempt = async (i: number): Promise<boolean> => {
    const [surface, stream] = KINDS[i % KINDS.length]!;
    const backend = BACKENDS[(i + Math.floor(i / KINDS.length)) % BACKENDS.length]!;
    const marker = `${prefix}-${i}`;
    const label = `#${i} ${surface}${stream ? ' stream' : ''} ${backend}`;
    // Every 12th REST run records a session, so the session store takes load too.
    const res = await ask(server.url, surface, { backend, prompt: `say ${marker}`, stream, rest: { ephemeral: i % 12 !== 0 } });
    const a = await readAnswer(surface, stream, res);
    if (a.status === 200) {
      if (a.error || a.end === 'error') throw new Error(`${label}: run failed: ${a.raw.slice(0, 300)}`);
      // Its own answer, whole: no cross-talk between concurrent runs, no truncation.
      if (!a.text.startsWith(`Hello from fake ${backend}`) || !a.text.endsWith(marker)) throw new Error(`${label}: wrong answer ${JSON.stringify(a.text)}: ${a.raw.slice(0, 1500)}`);
      t.ok++;
      t.bySurface[surface].ok++;
      return true;
    }
    if (a.status !== 503) throw new Error(`${label}: unexpected ${a.status}: ${a.raw.slice(0, 300)}`);
    const e = a.error!;
    const dialect =
      surface === 'rest' ? e.code === 'OVERLOADED' && e.type === 'urn:clinvk:problem:overloaded' : surface === 'openai' ? e.type === 'server_error' && e.code === 'overloaded' : e.type === 'overloaded_error';
    if (!dialect) throw new Error(`${label}: 503 not in the surface's dialect: ${a.raw}`);
    const retryAfter = res.headers.get('retry-after') ?? '';
    if (!/^\d+$/.test(retryAfter)) throw new Error(`${label}: 503 without Retry-After`);
    t.overloaded++;
    t.bySurface[surface].overloaded++;
    await sleep(backoff(Number(retryAfter)));
    return false;
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        try {
          let served = false;
          for (let n = 0; n < MAX_ATTEMPTS && !served; n++) served = await attempt(i);
          if (!served) t.failures.push(`#${i}: still refused after ${MAX_ATTEMPTS} attempts`);
        } catch (err) {
          const e = err as Error & { cause?: { code?: string; message?: string } };
          t.failures.push(`#${i}: ${e.message.slice(0, 400)}${e.cause ? ` (${e.cause.code ?? e.cause.message})` : ''}`);
        }
      }
    }),
  );
  t.ms = Date.now() - t0;
  return t;
}

/** Median of a few RSS samples, so one GC moment does not decide. */
async function settledRss(server: LiveServer, settleMs: number): Promise<number> {
  await sleep(settleMs);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(server.rssMb());
    await sleep(settleMs / 10);
  }
  return samples.sort((a, b) => a - b)[2]!;
}

interface RoundOpts {
  total: number;
  concurrency: number;
  warmup: number;
  cap: number;
  chunkMs: number;
  settleMs: number;
  backoff: (retryAfterSecs: number) => number;
}

/**
 * The time a round may take: per request (warm-up included) a Node start of the fake backend, its
 * three chunks and, for refused attempts, the Retry-After waits, spread over the cap's `cap` slots;
 * 400 ms is several times what one costs on the busy two-core machine (~130 ms). Fixed: the server's
 * start and the RSS settling (two samplings of 1.5 × settleMs).
 */
const roundBound = (label: string, o: Pick<RoundOpts, 'total' | 'warmup' | 'settleMs'>) =>
  workBound(label, { units: o.total + o.warmup, unit: 'requests', perUnitMs: 400, fixedMs: 15_000 + 3 * o.settleMs });

async function loadRound(opts: RoundOpts, bound: WorkBound) {
  const t0 = Date.now();
  const server = await startLiveServer({
    // A small cap and a queue wait shorter than any run (three chunks `chunkMs` apart plus a Node
    // start), so a burst of `concurrency` clients overflows it on any machine.
    config: { server: { max_concurrent_runs: opts.cap, queue_timeout_secs: 0.05 } },
    env: { FAKE_CHUNK_DELAY_MS: String(opts.chunkMs), FAKE_CHUNKS: '3' },
  });
  const failed = (t: Tally) => (t.failures.length ? [...t.failures.slice(0, 20), `server stderr (tail): ${server.stderr().slice(-1500)}`] : []);
  const warm = await drive(server, opts.warmup, opts.concurrency, 'warm', opts.backoff); // none for the fast subset
  expect(failed(warm)).toEqual([]);
  const before = await settledRss(server, opts.settleMs);

  const t = await drive(server, opts.total, opts.concurrency, 'load', opts.backoff);
  expect(failed(t)).toEqual([]);
  // Every request served in the end; the cap really refused some attempts.
  expect(t.ok).toBe(opts.total);
  expect(t.overloaded).toBeGreaterThan(0);
  for (const s of SURFACES) expect(warm.bySurface[s].overloaded + t.bySurface[s].overloaded, `${s} refusals`).toBeGreaterThan(0);

  // One backend process per answered request (a refusal spawns nothing), each ended normally, none left.
  const pids = server.runPids('load-');
  expect(pids.length).toBe(t.ok);
  await expectAllGone(pids);
  const ends = server.fakeLog().filter((e) => e.phase === 'end' && e.argv.some((a) => a.includes('load-')));
  expect(ends.length).toBe(t.ok);
  expect(ends.every((e) => e.exitCode === 0)).toBe(true);
  await until(() => childrenOf(server.pid).length === 0, 5000, 'server has no child process left');

  // The run gate is empty and the server still answers.
  const health = (await (await fetch(`${server.url}/health`)).json()) as { status: string; runs: { in_flight: number; queued: number; max: number } };
  expect(health).toMatchObject({ status: 'ok', runs: { in_flight: 0, queued: 0, max: opts.cap } });

  const after = await settledRss(server, opts.settleMs);
  const growth = after - before;
  console.info(
    `load: ${opts.total} requests at ${opts.concurrency} in ${t.ms} ms: ${t.ok} served, ${t.overloaded} attempts refused (cap ${opts.cap}: ` +
      `${SURFACES.map((s) => `${s} ${t.bySurface[s].overloaded}`).join(', ')}); ` +
      `server RSS ${before.toFixed(1)} → ${after.toFixed(1)} MB (${growth >= 0 ? '+' : ''}${growth.toFixed(1)}); ${Date.now() - t0} ms in all`,
  );
  bound.report(Date.now() - t0);
  expect(growth).toBeLessThan(60);
  expect(server.proc.exitCode).toBeNull();
}

const QUICK: RoundOpts = { total: 40, concurrency: 16, warmup: 0, cap: 6, chunkMs: 15, settleMs: 200, backoff: () => 200 + Math.random() * 200 };
const HEAVY: RoundOpts = { total: 500, concurrency: 64, warmup: 150, cap: 8, chunkMs: 15, settleMs: 1000, backoff: (s) => s * 1000 + Math.random() * 1000 };
const QUICK_BOUND = roundBound('load (40 requests)', QUICK);
const HEAVY_BOUND = roundBound('load (500 requests)', HEAVY);

describe('load through a live `clinvk serve`', () => {
  it('40 mixed requests at 16 clients over a cap of 6: refusals in each dialect, every request served, nothing left running', async () => {
    // Refused clients retry soon (the fast subset has no time to honour Retry-After).
    await loadRound(QUICK, QUICK_BOUND);
  }, QUICK_BOUND.ms);

  it.runIf(FULL)('500 mixed requests at 64 clients over a cap of 8: every request served, nothing left, memory flat', async () => {
    // Refused clients honour Retry-After, with jitter, as a well-behaved client does.
    await loadRound(HEAVY, HEAVY_BOUND);
  }, HEAVY_BOUND.ms);
});
