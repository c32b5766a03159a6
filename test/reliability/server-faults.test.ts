// The server's fault matrix, end to end through a live `clinvk serve` child process: a backend that
// crashes mid-stream, hangs past its timeout, or prints garbage; and SIGTERM with runs in flight.
// Each case checks the answer in the surface's own format, that the backend process and its
// grandchild are gone, and that the same server still answers a normal request afterwards.
// Faults are chosen per request by markers in the prompt (see live-server.ts), so one server sees
// the fault and then the normal request.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL } from './full.ts';
import {
  ask,
  cleanupServers,
  collect,
  expectAllGone,
  parseAnswer,
  procGone,
  readAnswer,
  SURFACES,
  startLiveServer,
  until,
  type Answer,
  type LiveServer,
  type Surface,
} from './live-server.ts';
import { childrenOf } from '../fixtures/proc.ts';
import { stretched, workBound } from './work-bound.ts';

afterAll(cleanupServers);

const uid = () => Math.random().toString(36).slice(2, 10);
const answerFor = (backend: string, prompt: string) => `Hello from fake ${backend} (turn 1): ${prompt}`;
/**
 * The config timeout every run gets on the fault server (REST may ask for less per request). A hang
 * case needs its backend to have started its grandchild before the timeout kills it (else there is no
 * kill to check), and on a heavily loaded machine a start takes seconds: so these stretch with the
 * machine's measured slowness (work-bound.ts), in whole seconds.
 */
const RUN_TIMEOUT_SECS = Math.max(3, Math.ceil(stretched(3000) / 1000));
const REST_TIMEOUT_SECS = Math.max(1, Math.ceil(stretched(1000) / 1000));

let server: LiveServer;
beforeAll(async () => {
  server = await startLiveServer({ faults: true, config: { unified_flags: { command_timeout_secs: RUN_TIMEOUT_SECS } } });
});

/** The backend process of the run whose prompt carries `marker` and the grandchild it started. */
async function processesOf(marker: string, childId: string): Promise<number[]> {
  await until(() => server.runPids(marker).length === 1 && server.childPid(childId) !== undefined, stretched(20_000), `the run ${marker} and its grandchild started`);
  return [server.runPids(marker)[0]!, server.childPid(childId)!];
}

/** The same server answers a normal request on the same surface, whole. */
async function expectStillServes(surface: Surface, stream: boolean): Promise<void> {
  const prompt = `normal after fault ${uid()}`;
  const a = await readAnswer(surface, stream, await ask(server.url, surface, { backend: 'codex', prompt, stream }));
  expect(a.status).toBe(200);
  expect(a.error).toBeUndefined();
  expect(a.text).toBe(answerFor('codex', prompt));
}

/** The run's failure in the surface's dialect, for a run that failed with `code` (ErrorCode). */
function expectRunError(surface: Surface, stream: boolean, a: Answer, code: string, status: number, message: RegExp): void {
  expect(a.error, a.raw).toBeDefined();
  expect(a.error!.message).toMatch(message);
  if (stream) {
    // The stream started (200) and ends with the surface's error event, not its normal end.
    expect(a.status).toBe(200);
    expect(a.end).toBe('error');
  } else {
    // REST answers the run's result (200, exit_code and error); the vendor surfaces answer an error status.
    expect(a.status).toBe(surface === 'rest' ? 200 : status);
  }
  if (surface === 'rest') expect(a.error!.code).toBe(code);
  if (surface === 'openai') expect(a.error).toMatchObject({ type: 'server_error', code: code.toLowerCase() });
  if (surface === 'anthropic') expect(a.error!.type).toBe('api_error');
}

// ---------------------------------------------------------------- SIGTERM helpers

/** Whether a new TCP connection to the port is refused (the server stopped accepting). */
const refused = (url: string) =>
  new Promise<boolean>((resolve) => {
    const sock = connect(Number(new URL(url).port), '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      resolve(false);
    });
    sock.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });

interface InFlight {
  surface: Surface;
  stream: boolean;
  backend: string;
  prompt: string;
  id: string;
  res: Promise<{ status: number; ctype: string; body: ReturnType<typeof collect> }>;
}

/** Starts four runs of `fault` (REST stream and not, OpenAI stream, Anthropic stream) and waits until each is under way. */
async function fourRuns(s: LiveServer, fault: 'slow' | 'hang'): Promise<{ runs: InFlight[]; pids: number[] }> {
  const specs: [Surface, boolean, string][] = [
    ['rest', true, 'claude'],
    ['openai', true, 'gemini'],
    ['anthropic', true, 'claude'],
    ['rest', false, 'gemini'],
  ];
  const runs = specs.map(([surface, stream, backend]) => {
    const id = uid();
    const prompt = `FAULT=${fault} CHILD=${id} term-${id}`;
    const res = ask(s.url, surface, { backend, prompt, stream }).then((r) => ({ status: r.status, ctype: r.headers.get('content-type') ?? '', body: collect(r) }));
    res.catch(() => undefined); // awaited below; a failure must fail the test, not leak as unhandled
    return { surface, stream, backend, prompt, id, res };
  });
  const pids: number[] = [];
  for (const r of runs) {
    await until(() => s.runPids(`term-${r.id}`).length === 1 && s.childPid(r.id) !== undefined, stretched(15_000), `run ${r.surface} started`);
    pids.push(s.runPids(`term-${r.id}`)[0]!, s.childPid(r.id)!);
    // Streams: the first text is out (a hanging run: its first event), so the run is really mid-way.
    if (r.stream) await (await r.res).body.waitFor(fault === 'slow' ? /Hello from f/ : /\S/, stretched(15_000));
  }
  expect(pids.some(procGone)).toBe(false);
  return { runs, pids };
}

// All cases at once on the one server (the slowest start first: SIGTERM on its own server, then the
// hangs): besides saving time, each fault then happens next to other runs, and must not disturb them.
describe('faults, all at once: SIGTERM mid-run, crash mid-stream, hang past the timeout, garbage, stderr flood', () => {
  it.concurrent('SIGTERM with 4 runs in flight that finish within the grace (own server): every client gets its whole answer, no new connections, exit 0, nothing left', async () => {
    const s = await startLiveServer({ faults: true });
    const { runs, pids } = await fourRuns(s, 'slow');
    const t0 = Date.now();
    s.proc.kill('SIGTERM');
    await until(() => refused(s.url), stretched(3000), 'new connections refused after SIGTERM');
    let lastDone = t0;
    for (const r of runs) {
      const { status, ctype, body } = await r.res;
      const a = parseAnswer(r.surface, r.stream, status, ctype, await body.done);
      lastDone = Math.max(lastDone, Date.now());
      expect(a.status).toBe(200);
      expect(a.error, a.raw).toBeUndefined();
      expect(a.text).toBe(answerFor(r.backend, r.prompt));
    }
    const exit = await s.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    // The runs take ~1 s (longer on a loaded machine); the server must not sit out its whole 10 s grace
    // once they are done: it exits soon after the last answer, not at SIGTERM + 10 s.
    expect(exit.at - lastDone, `exit ${exit.at - t0} ms after SIGTERM, the last answer at ${lastDone - t0} ms`).toBeLessThan(Math.min(stretched(2000), 5000));
    expect(s.stderr()).toMatch(/SIGTERM: shutting down/);
    await expectAllGone(pids);
  }, stretched(90_000));

  const hangCases: { surface: Surface; stream: boolean; backend: string; rest?: Record<string, unknown>; secs: number }[] = [
    { surface: 'rest', stream: false, backend: 'claude', rest: { timeout_secs: REST_TIMEOUT_SECS }, secs: REST_TIMEOUT_SECS },
    { surface: 'openai', stream: true, backend: 'gemini', secs: RUN_TIMEOUT_SECS },
    { surface: 'anthropic', stream: false, backend: 'codex', secs: RUN_TIMEOUT_SECS },
    ...(FULL
      ? [
          { surface: 'rest' as const, stream: true, backend: 'gemini', secs: RUN_TIMEOUT_SECS },
          { surface: 'openai' as const, stream: false, backend: 'claude', secs: RUN_TIMEOUT_SECS },
          { surface: 'anthropic' as const, stream: true, backend: 'claude', secs: RUN_TIMEOUT_SECS },
        ]
      : []),
  ];
  it.concurrent.each(hangCases)('hang: $surface (stream $stream, $backend): a timeout error after $secs s; the process and its grandchild are gone', async ({ surface, stream, backend, rest, secs }) => {
    const id = uid();
    const t0 = Date.now();
    const pending = ask(server.url, surface, { backend, prompt: `FAULT=hang CHILD=${id} hang-${id}`, stream, ...(rest ? { rest } : {}) });
    // Both really ran (so "gone" below means killed, not never started).
    const pids = await processesOf(`hang-${id}`, id);
    expect(pids.some(procGone)).toBe(false);
    const a = await readAnswer(surface, stream, await pending);
    const took = Date.now() - t0;
    expectRunError(surface, stream, a, 'TIMEOUT', 504, new RegExp(`timed out after ${secs}s`));
    if (surface === 'rest' && !stream) expect(JSON.parse(a.raw)).toMatchObject({ exit_code: 6 });
    expect(took).toBeGreaterThanOrEqual(secs * 1000 - 50);
    // Ended by the timeout, not long after: counted from the backend's own start (its FAKE_LOG
    // entry), so the many processes this describe starts at once on two cores do not count.
    const startedAt = server.fakeLog().find((e) => e.phase === 'start' && e.pid === pids[0])!.at;
    expect(Date.now() - startedAt, `took ${took} ms from the request`).toBeLessThan(secs * 1000 + stretched(6000));
    await expectAllGone(pids);
    await expectStillServes(surface, stream);
  }, stretched(45_000)); // ~5-15 s: many processes start at once here

  const crashCases: [Surface, string][] = [
    ['rest', 'claude'],
    ['openai', 'gemini'],
    ['anthropic', 'claude'],
  ];
  it.concurrent.each(crashCases)('crash: %s stream (%s): the text so far, then the surface’s error event; nothing left; server serves on', async (surface, backend) => {
    const id = uid();
    const prompt = `FAULT=crash CHILD=${id} crash-${id}`;
    const a = await readAnswer(surface, true, await ask(server.url, surface, { backend, prompt, stream: true }));
    expectRunError(surface, true, a, 'BACKEND_FAILED', 502, /fake crash mid-stream/);
    // Mid-stream: the first chunk reached the client before the error, and nothing after it.
    expect(a.text.length).toBeGreaterThan(0);
    expect(answerFor(backend, prompt).startsWith(a.text)).toBe(true);
    expect(a.text).not.toBe(answerFor(backend, prompt));
    if (surface === 'rest') expect(a.raw).toMatch(/"type":"done".*"exit_code":1/);
    await expectAllGone(await processesOf(`crash-${id}`, id));
    await expectStillServes(surface, true);
  }, stretched(45_000));

  const garbageCases: [Surface, boolean, string][] = [
    ['rest', false, 'claude'],
    ['rest', true, 'gemini'],
    ['openai', false, 'codex'],
    ['anthropic', true, 'gemini'],
    ...(FULL
      ? ([
          ['openai', true, 'claude'],
          ['anthropic', false, 'codex'],
          ['rest', false, 'codex'],
        ] as [Surface, boolean, string][])
      : []),
  ];
  it.concurrent.each(garbageCases)('garbage: %s (stream %s, %s): the whole answer with a warning, no 5xx', async (surface, stream, backend) => {
    const id = uid();
    const prompt = `FAULT=garbage garbage-${id}`;
    const a = await readAnswer(surface, stream, await ask(server.url, surface, { backend, prompt, stream }));
    expect(a.status, a.raw).toBe(200);
    expect(a.error).toBeUndefined();
    expect(a.text).toBe(answerFor(backend, prompt));
    // The skipped line is reported where the surface has room for it (REST, OpenAI's clinvk block).
    if (surface !== 'anthropic' && !(surface === 'openai' && stream)) expect(a.warnings).toContainEqual(expect.stringMatching(/unreadable .*this is not json/));
    if (surface === 'rest' && stream) expect(a.raw).toMatch(/"type":"warning".*unreadable/);
    await expectAllGone(server.runPids(`garbage-${id}`));
    await expectStillServes(surface, stream);
  }, stretched(45_000));

  // Not the fake (it has no such knob): a backend that writes ~1 MB on stderr and exits 1 at once.
  // The pipes are drained before the run ends, so the message is the real reason (its last line).
  const floodCases: [Surface, boolean, string][] = [
    ['rest', false, 'claude'],
    ['anthropic', true, 'codex'],
    ...(FULL
      ? ([
          ['openai', false, 'claude'],
          ['rest', true, 'codex'],
        ] as [Surface, boolean, string][])
      : []),
  ];
  it.concurrent.each(floodCases)('stderr flood: %s (stream %s, %s): the error names the last line, not the noise', async (surface, stream, backend) => {
    const id = uid();
    const a = await readAnswer(surface, stream, await ask(server.url, surface, { backend, prompt: `FAULT=stderrflood CHILD=${id} flood-${id}`, stream }));
    expectRunError(surface, stream, a, 'BACKEND_FAILED', 502, /^Error: the real reason is the last line$/);
    const pid = server.floodPid(id);
    expect(pid).toBeGreaterThan(0);
    await expectAllGone([pid!]);
    await expectStillServes(surface, stream);
  }, stretched(45_000));
});

// A request here is a Node start of the fake (crash, garbage or normal) plus its answer; 2 s each is
// several times that on the busy two-core machine, 16 at a time.
const STORM_BOUND = workBound('storm (48 requests)', { units: 48, unit: 'requests', perUnitMs: 2000, fixedMs: 20_000 });

describe.runIf(FULL)('a storm of mixed faults at once', () => {
  it('48 requests, 16 at a time, crash/garbage/normal on every surface and backend: each answered as its fault says', async () => {
    // Its own server, without the fault server's short run timeout (16 at once on two cores are slow).
    const t0 = Date.now();
    const storm = await startLiveServer({ faults: true });
    const faults = ['crash', 'garbage', 'normal'] as const;
    const backends = ['claude', 'codex', 'gemini'];
    const jobs = Array.from({ length: 48 }, (_, i) => ({
      i,
      fault: faults[i % 3]!,
      surface: SURFACES[Math.floor(i / 3) % 3]!,
      backend: backends[Math.floor(i / 9) % 3]!,
      stream: Math.floor(i / 27) % 2 === 0 ? i % 2 === 0 : i % 2 === 1,
    }));
    const problems: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let j = jobs[next++]; j; j = jobs[next++]) {
          const prompt = `${j.fault === 'normal' ? '' : `FAULT=${j.fault} `}storm-${j.i}-${uid()}`;
          const label = `#${j.i} ${j.fault} ${j.surface} ${j.backend} stream=${j.stream}`;
          try {
            const a = await readAnswer(j.surface, j.stream, await ask(storm.url, j.surface, { backend: j.backend, prompt, stream: j.stream }));
            if (j.fault === 'crash') {
              // codex delivers its message whole, so its crash may come before any text.
              expectRunError(j.surface, j.stream, a, 'BACKEND_FAILED', 502, /fake crash/);
              expect(answerFor(j.backend, prompt).startsWith(a.text)).toBe(true);
            } else {
              expect(a.status).toBe(200);
              expect(a.error).toBeUndefined();
              expect(a.text).toBe(answerFor(j.backend, prompt));
            }
          } catch (err) {
            problems.push(`${label}: ${(err as Error).message.slice(0, 300)}`);
          }
        }
      }),
    );
    expect(problems).toEqual([]);
    await expectAllGone(storm.runPids('storm-'));
    await until(() => childrenOf(storm.pid).length === 0, 5000, 'no child process of the server');
    const prompt = `normal after the storm ${uid()}`;
    const a = await readAnswer('rest', true, await ask(storm.url, 'rest', { backend: 'codex', prompt, stream: true }));
    expect(a.text).toBe(answerFor('codex', prompt));
    STORM_BOUND.report(Date.now() - t0);
  }, STORM_BOUND.ms);
});

describe('the fault server after all of the above', () => {
  it('has no child process left, an empty run gate, and is healthy', async () => {
    await until(() => childrenOf(server.pid).length === 0, 5000, 'no child process of the server');
    const health = (await (await fetch(`${server.url}/health`)).json()) as { status: string; runs: { in_flight: number; queued: number } };
    expect(health).toMatchObject({ status: 'ok', runs: { in_flight: 0, queued: 0 } });
    expect(server.proc.exitCode).toBeNull();
  });
});

describe('SIGTERM with runs that never finish', () => {
  it.runIf(FULL)('4 hanging runs: cancelled after the 10 s grace, every client gets an end, exit 0, no process or grandchild left', async () => {
    const s = await startLiveServer({ faults: true });
    const { runs, pids } = await fourRuns(s, 'hang');
    const t0 = Date.now();
    s.proc.kill('SIGTERM');
    await until(() => refused(s.url), 3000, 'new connections refused after SIGTERM');
    // Still running in the grace period: nothing was cut early.
    await new Promise((r) => setTimeout(r, 8000));
    expect(pids.some(procGone)).toBe(false);
    const ends = await Promise.all(
      runs.map(async (r) => {
        const { status, ctype, body } = await r.res;
        // An end, not a hang: the body finishes soon after the grace.
        const raw = await Promise.race([body.done, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`${r.surface} client still waiting`)), 15_000))]);
        return { r, status, ctype, raw, at: Date.now() };
      }),
    );
    const exit = await s.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - t0).toBeGreaterThanOrEqual(9500);
    expect(exit.at - t0).toBeLessThan(10_000 + 5000 + 3000);
    for (const e of ends) {
      expect(e.at - t0).toBeLessThan(10_000 + 5000 + 3000);
      // The cancelled run's own end, in the surface's format: an error event, or REST's result with exit code 7.
      const a = parseAnswer(e.r.surface, e.r.stream, e.status, e.ctype, e.raw);
      expect(a.status).toBe(200);
      expect(a.error?.message, a.raw).toMatch(/cancelled/);
      if (e.r.stream) expect(a.end).toBe('error');
      if (e.r.surface === 'rest') expect(a.error!.code).toBe('CANCELLED');
      if (e.r.surface === 'rest' && !e.r.stream) expect(JSON.parse(e.raw)).toMatchObject({ exit_code: 7 });
      if (e.r.surface === 'openai') expect(a.error!.code).toBe('cancelled');
    }
    await expectAllGone(pids);
  }, 60_000);
});
