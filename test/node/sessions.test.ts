// The file-locked session store: CRUD, prefixes, id checks, atomic files, index repair, concurrency, crashes.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSessionStore } from '../../runtime/node/sessions.ts';
import { stretched } from '../reliability/work-bound.ts';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sessions-'));
  dirs.push(d);
  return join(d, 'sessions');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const init = (prompt = 'fix the bug') => ({ backend: 'claude', workingDir: '/tmp/p', initialPrompt: prompt });

function writer(dir: string, writes: number, shared: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/workers/session-writer.ts', dir, String(writes), shared], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return { child, out: () => out, done: new Promise<number | null>((r) => child.on('exit', r)) };
}

describe('session store', () => {
  it('creates, reads by prefix, updates, lists newest first, deletes', async () => {
    let t = Date.parse('2026-01-01T00:00:00Z');
    const store = createSessionStore({ dir: tempDir(), now: () => (t += 1000) });
    const a = await store.create(init('first'));
    const b = await store.create({ ...init('second'), backend: 'codex' });
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
    expect((await store.get(a.id.slice(0, 10))).initialPrompt).toBe('first');
    await store.update(a.id, (s) => ({ ...s, turnCount: 1, status: 'completed', lastUsed: new Date(t += 1000).toISOString(), backendSessionId: 'n1' }));
    const { sessions, total } = await store.list();
    expect(total).toBe(2);
    expect(sessions.map((s) => s.id)).toEqual([a.id, b.id]);
    expect((await store.list({ backend: 'codex' })).sessions.map((s) => s.id)).toEqual([b.id]);
    await store.delete(b.id);
    await expect(store.get(b.id)).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
    expect(await store.count()).toBe(1);
  });

  it('a limited listing reads the head of the index and agrees with the full listing', async () => {
    let t = Date.parse('2026-01-01T00:00:00Z');
    const dir = tempDir();
    const store = createSessionStore({ dir, now: () => (t += 1000) });
    const made = [];
    for (let i = 0; i < 30; i++) made.push(await store.create(init(`p${i} "quoted"\nnew line ✓`)));
    // An update moves an old session to the top.
    await store.update(made[3]!.id, (s) => ({ ...s, lastUsed: new Date((t += 1000)).toISOString() }));
    const full = await store.list();
    const page = await store.list({ limit: 5, offset: 2 });
    expect(page.total).toBe(30);
    expect(page.sessions).toEqual(full.sessions.slice(2, 7));
    expect((await store.list({ limit: 1 })).sessions[0]!.id).toBe(made[3]!.id);
    // The file is still one JSON document, newest first.
    const doc = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { version: number; total: number; sessions: { id: string }[] };
    expect(doc).toMatchObject({ version: 2, total: 30 });
    expect(doc.sessions.map((e) => e.id)).toEqual(full.sessions.map((s) => s.id));
  });

  it('a version-1 or damaged index head falls back to reading (and rebuilding) the whole index', async () => {
    const dir = tempDir();
    const store = createSessionStore({ dir });
    const a = await store.create(init('one'));
    const b = await store.create(init('two'));
    const entries = (JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { sessions: unknown[] }).sessions;
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ version: 1, sessions: entries }));
    expect((await store.list({ limit: 10 })).sessions.map((s) => s.id).sort()).toEqual([a.id, b.id].sort());
    writeFileSync(join(dir, 'index.json'), '{"version":2,"total":2,"sessions":[\n{"id": broken\n');
    expect((await store.list({ limit: 10 })).total).toBe(2);
  });

  it('clean trusts the session file over a stale index entry, and sweeps temp files left by killed writers', async () => {
    const day = 86_400_000;
    let t = Date.parse('2026-01-01T00:00:00Z');
    const dir = tempDir();
    const store = createSessionStore({ dir, now: () => t });
    const stale = await store.create(init('old in the index, used in its file'));
    const old = await store.create(init('really old'));
    await store.update(stale.id, (s) => ({ ...s, status: 'completed' }));
    await store.update(old.id, (s) => ({ ...s, status: 'completed' }));
    // A writer killed between its two writes: the file says "used today", the index still says 40 days ago.
    t += 40 * day;
    const file = join(dir, `${stale.id}.json`);
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), last_used: new Date(t).toISOString() }));
    const killed = join(dir, '.abc.json.123.deadbeef.tmp');
    const fresh = join(dir, '.def.json.456.cafebabe.tmp');
    writeFileSync(killed, '{"half":');
    writeFileSync(fresh, '{"half":');
    utimesSync(killed, (t - 2 * 3600_000) / 1000, (t - 2 * 3600_000) / 1000);
    utimesSync(fresh, t / 1000, t / 1000);
    const { deleted } = await store.clean(30);
    expect(deleted).toEqual([old.id]);
    expect((await store.get(stale.id)).id).toBe(stale.id);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual(['.def.json.456.cafebabe.tmp']);
  });

  it('an unexpected file system error names no path in its message (the OS message is the detail)', async () => {
    const parent = tempDir();
    writeFileSync(join(parent, '..', 'blocker'), 'a file where the sessions folder would be');
    const store = createSessionStore({ dir: join(parent, '..', 'blocker', 'sessions') });
    const err = (await store.create(init()).catch((e: unknown) => e)) as { code: string; message: string; detail?: string };
    expect(err.code).toBe('SESSION_STORE');
    expect(err.message).toMatch(/file system error ENOTDIR/);
    expect(err.message).not.toContain(tmpdir());
    expect(err.detail).toContain('blocker');
  });

  it('rejects anything that is not an id before touching the disk', async () => {
    const store = createSessionStore({ dir: tempDir() });
    for (const bad of ['../x', '/etc/passwd', '', 'abc/def', 'zz', '..']) {
      await expect(store.get(bad)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await expect(store.delete(bad)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
  });

  it('reports an ambiguous prefix', async () => {
    const store = createSessionStore({ dir: tempDir() });
    const made = await Promise.all(Array.from({ length: 40 }, () => store.create(init())));
    const first = made[0]!.id[0]!;
    const clash = made.filter((s) => s.id[0] === first);
    if (clash.length > 1) await expect(store.get(first)).rejects.toMatchObject({ code: 'SESSION_AMBIGUOUS' });
    expect(readdirSync(store.dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('rebuilds a missing or corrupt index from the files, and skips a corrupt session file', async () => {
    const store = createSessionStore({ dir: tempDir() });
    const a = await store.create(init());
    const b = await store.create(init());
    writeFileSync(join(store.dir, 'index.json'), '{ not json');
    expect((await store.list()).total).toBe(2);
    rmSync(join(store.dir, 'index.json'));
    writeFileSync(join(store.dir, `${b.id}.json`), '{"broken":');
    expect((await store.list()).sessions.map((s) => s.id)).toEqual([a.id]);
  });

  it('many concurrent updates in one process lose nothing', async () => {
    const store = createSessionStore({ dir: tempDir() });
    const s = await store.create(init());
    await Promise.all(Array.from({ length: 50 }, () => store.update(s.id, (x) => ({ ...x, turnCount: x.turnCount + 1 }))));
    expect((await store.get(s.id)).turnCount).toBe(50);
  });

  it('8 processes × 50 writes plus an in-process writer: no corrupt file, no lost update, index equals files', async () => {
    const dir = tempDir();
    const store = createSessionStore({ dir });
    const shared = await store.create(init('shared'));
    const procs = Array.from({ length: 8 }, () => writer(dir, 50, shared.id));
    const local = (async () => {
      for (let i = 0; i < 25; i++) await store.update(shared.id, (s) => ({ ...s, turnCount: s.turnCount + 1 }));
    })();
    const codes = await Promise.all(procs.map((p) => p.done));
    await local;
    expect(codes).toEqual(Array(8).fill(0));
    const files = readdirSync(dir).filter((n) => /^[0-9a-f]+\.json$/.test(n));
    for (const f of files) JSON.parse(readFileSync(join(dir, f), 'utf8'));
    expect(files.length).toBe(1 + 8 * 25);
    expect((await store.get(shared.id)).turnCount).toBe(8 * 25 + 25);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { sessions: { id: string }[] };
    expect(index.sessions.map((s) => `${s.id}.json`).sort()).toEqual(files.sort());
  }, 120_000);

  it('a writer SIGKILLed while holding the lock leaves every session readable, and the next writer proceeds', async () => {
    const dir = tempDir();
    const store = createSessionStore({ dir });
    const s = await store.create(init());
    const holder = writer(dir, 0, s.id, { SESSION_WRITER_HOLD: '1' });
    while (!holder.out().includes('holding')) await new Promise((r) => setTimeout(r, 20));
    holder.child.kill('SIGKILL');
    await holder.done;
    const started = Date.now();
    await store.update(s.id, (x) => ({ ...x, turnCount: 7 }));
    // The lock is stale 2 s after its holder's last touch, far short of the 20–30 s a live holder is waited
    // for; the slack over 2 s stretches on a loaded machine.
    expect(Date.now() - started).toBeLessThan(2000 + stretched(2500));
    expect((await store.get(s.id)).turnCount).toBe(7);
  }, 30_000);

  it('a read-only folder is a clear SESSION_STORE error and leaves no partial file', async () => {
    if (process.getuid?.() === 0) {
      // root ignores permissions; use a path under a file instead, which no one can create.
      const base = tempDir();
      writeFileSync(`${base}-file`, 'x');
      const store = createSessionStore({ dir: join(`${base}-file`, 'sessions') });
      await expect(store.create(init())).rejects.toMatchObject({ code: 'SESSION_STORE' });
      return;
    }
    const dir = tempDir();
    const store = createSessionStore({ dir });
    await store.create(init());
    chmodSync(dir, 0o500);
    await expect(store.create(init())).rejects.toMatchObject({ code: 'SESSION_STORE' });
    chmodSync(dir, 0o700);
  });
});
