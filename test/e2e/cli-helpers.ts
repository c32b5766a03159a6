// Running the built `clinvk` (dist/clinvk.cjs) with the fake CLIs first on PATH and a private home.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readFakeLog } from '../fixtures/fake-log.ts';

export const CLINVK = resolve('dist/clinvk.cjs');
export const FAKES = resolve('test/fixtures/fake-clis');

/** Builds dist/ once when a test file runs alone (npm test builds before vitest). */
export function ensureBuilt(): void {
  if (!existsSync(CLINVK)) spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}

export function sandbox(extra: Record<string, string> = {}) {
  const home = mkdtempSync(join(tmpdir(), 'clinvk-e2e-'));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    HOME: home,
    CLINVK_HOME: join(home, '.clinvk'),
    TMPDIR: home,
    PATH: `${FAKES}:${process.env.PATH ?? ''}`,
    FAKE_CHUNK_DELAY_MS: '5',
    ...extra,
  };
  return { home, env };
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  /** ms after start at which each stdout chunk arrived. */
  chunks: { at: number; text: string }[];
}

export function clinvk(args: string[], opts: { env: Record<string, string>; cwd?: string; input?: string; onStart?: (c: ChildProcess) => void }): Promise<Ran> {
  return new Promise((res) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLINVK, ...args], { env: opts.env, cwd: opts.cwd ?? opts.env.HOME, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Ran = { code: null, stdout: '', stderr: '', chunks: [] };
    child.stdout!.on('data', (d: Buffer) => {
      out.stdout += d;
      out.chunks.push({ at: Date.now() - started, text: String(d) });
    });
    child.stderr!.on('data', (d: Buffer) => (out.stderr += d));
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    opts.onStart?.(child);
    child.on('close', (code) => res({ ...out, code }));
  });
}

/** Whether a pid is still a live process (zombies count as gone: PID 1 here does not reap them). */
export function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

export const fakeLog = (file: string) => readFakeLog<{ cli: string; phase: string; argv: string[]; pid: number; at: number; cwd: string }>(file);

/** The grandchild pid a FAKE_SPAWN_CHILD fake wrote, or undefined while it has not written it yet. */
export function grandchildPid(pidFile: string): number | undefined {
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : 0;
  return pid > 0 ? pid : undefined;
}

/**
 * Runs `run(secs)` with a timeout of `secs`: 1 s, then 2, 4, 8 while the timeout fired before the fake
 * had started its grandchild (FAKE_SPAWN_CHILD=`pidFile`). clinvk's timeout counts from the spawn, and
 * on a heavily loaded machine a Node start alone can take longer than 1 s: such a run proves nothing
 * about the grandchild, so it is run again with more time, not judged. What is asserted is unchanged.
 */
export async function untilGrandchildStarted(pidFile: string, run: (secs: number) => Promise<Ran>): Promise<{ r: Ran; secs: number; grandchild: number }> {
  for (let secs = 1; ; secs *= 2) {
    const r = await run(secs);
    const grandchild = grandchildPid(pidFile);
    if (grandchild !== undefined) return { r, secs, grandchild };
    if (secs >= 8) throw new Error(`the fake never started its grandchild, even with a ${secs}s timeout (exit ${r.code}: ${r.stderr.trim()})`);
  }
}
