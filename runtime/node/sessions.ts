// The session store: one JSON file per session plus index.json (light entries for fast listing),
// shared safely by every clinvk process (CLI runs, a server) through a cross-process lock, with an
// in-process queue so concurrent requests in one server never interleave. Every write is atomic
// (temp file, fsync, rename), so a reader never sees half a file and a crash never corrupts one.
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ClinvkError, emptyUsage, isClinvkError, type Logger, type NewSession, type Session, type SessionFilter, type SessionStore } from '../contract.ts';
import { sessionFromJson, sessionToJson, type SessionJson } from '../wire.ts';

export interface SessionStoreOptions {
  dir: string;
  log?: Logger;
  now?: () => number;
  /** A holder that stopped refreshing its lock this long ago (crashed) loses it. */
  staleMs?: number;
}

/** Where the sessions of a clinvk home live. */
export const sessionsDir = (home: string): string => join(home, 'sessions');

const ID = /^[0-9a-f]{1,64}$/;
const INDEX = 'index.json';
/** Tries at the lock while another process holds it (with the back-off, 20–30 s in all; a crashed holder loses it after staleMs). */
const LOCK_ATTEMPTS = 80;
/** A session used this recently counts as in use: `clean` never deletes it while it is active. */
const IN_USE_MS = 60 * 60 * 1000;

/** Rejects anything that is not an id (or id prefix) before it can become part of a path. */
export function checkId(id: string): string {
  const s = id.trim().toLowerCase();
  if (!ID.test(s)) throw new ClinvkError('INVALID_INPUT', `"${id.slice(0, 80)}" is not a session id (ids are hex, e.g. 3f2a9c01)`, { hint: 'list sessions with `clinvk sessions list`' });
  return s;
}

/** Random hex from Web Crypto: node:crypto would load with every `sessions list`, which never needs it. */
const randomHex = (bytes: number) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
const newId = () => randomHex(8);

const byLastUsedDesc = (a: SessionJson, b: SessionJson) => (a.last_used < b.last_used ? 1 : a.last_used > b.last_used ? -1 : 0);
const INDEX_HEAD = /^\{"version":2,"total":(\d+),"sessions":\[$/;

/**
 * index.json, most recently used first and one entry per line after a header line that carries the
 * count, so a listing can read just the head (headOfIndex). Still one JSON document for every
 * other reader (and for version-1 readers, which only look at `sessions`).
 */
export function formatIndex(entries: SessionJson[]): string {
  const sorted = [...entries].sort(byLastUsedDesc);
  return `{"version":2,"total":${sorted.length},"sessions":[\n${sorted.map((e) => JSON.stringify(e)).join(',\n')}\n]}\n`;
}

/** The index keeps whole sessions except a long first prompt, so `list` reads one file. */
const indexEntry = (s: Session): SessionJson => ({ ...sessionToJson(s), initial_prompt: s.initialPrompt.slice(0, 200) });

function storeError(err: unknown, what: string): ClinvkError {
  const code = (err as NodeJS.ErrnoException)?.code;
  // The OS's own message names the file (and so the home folder): it goes to `detail`, not the message.
  const why =
    code === 'ENOSPC' ? 'the disk is full' : code === 'EROFS' ? 'the file system is read-only' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ELOCKED' ? 'another clinvk process holds the lock for too long' : code ? `file system error ${code}` : 'unexpected error';
  return new ClinvkError('SESSION_STORE', `could not ${what}: ${why}`, { hint: 'check the sessions folder (CLINVK_HOME/sessions), or run with --ephemeral', detail: String((err as Error)?.message ?? err), cause: err });
}

async function atomicWrite(dir: string, name: string, data: string): Promise<void> {
  const tmp = join(dir, `.${name}.${process.pid}.${randomHex(4)}.tmp`);
  try {
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(dir, name));
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  // The rename itself is durable only once the directory is synced; best effort (not on every FS).
  const d = await open(dir, 'r').catch(() => undefined);
  await d?.sync().catch(() => undefined);
  await d?.close();
}

/** Temp files of writers that were killed before their rename; an hour is far past any write. */
async function sweepTempFiles(dir: string, at: number): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith('.') || !name.endsWith('.tmp')) continue;
    const st = await stat(join(dir, name)).catch(() => undefined);
    if (st && at - st.mtimeMs > 60 * 60 * 1000) await rm(join(dir, name), { force: true }).catch(() => undefined);
  }
}

const exists = (path: string) => stat(path).then(() => true, () => false);

export function createSessionStore(opts: SessionStoreOptions): SessionStore & { dir: string; probe(): Promise<{ lockSeen: boolean }> } {
  const { dir } = opts;
  const now = opts.now ?? Date.now;
  const staleMs = Math.max(2000, opts.staleMs ?? 2000);
  let queue: Promise<unknown> = Promise.resolve();

  const fileOf = (id: string) => join(dir, `${checkId(id)}.json`);

  /**
   * The cross-process lock. Only "someone else holds it" (ELOCKED) is worth waiting for; a
   * read-only or full disk fails at once instead of after ~18 s of proper-lockfile's retries.
   */
  async function acquireLock(): Promise<() => Promise<void>> {
    // Loaded on the first write: listing and reading sessions never need it.
    const { default: lockfile } = await import('proper-lockfile');
    for (let attempt = 0; ; attempt++) {
      try {
        return await lockfile.lock(dir, {
          lockfilePath: join(dir, '.lock'),
          realpath: false,
          stale: staleMs,
          update: Math.max(1000, Math.floor(staleMs / 3)),
          retries: 0,
          onCompromised: (err) => opts.log?.warn({ err: String(err) }, 'session store lock was taken over'),
        });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ELOCKED' || attempt >= LOCK_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, Math.min(250, 10 * 1.3 ** attempt) * (1 + Math.random())));
      }
    }
  }

  /** Runs `fn` alone: after this process's earlier writes, and under the cross-process lock. */
  function exclusive<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const run = async () => {
      await mkdir(dir, { recursive: true, mode: 0o700 }).catch((e) => {
        throw storeError(e, what);
      });
      let release: () => Promise<void>;
      try {
        release = await acquireLock();
      } catch (err) {
        throw storeError(err, what);
      }
      try {
        return await fn();
      } catch (err) {
        // A disk error inside the write (ENOSPC, EROFS…) is the store's error, said plainly.
        throw isClinvkError(err) ? err : storeError(err, what);
      } finally {
        await release().catch(() => undefined);
      }
    };
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  }

  async function readSession(id: string): Promise<Session | undefined> {
    try {
      return sessionFromJson(JSON.parse(await readFile(fileOf(id), 'utf8')) as SessionJson);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      if (err instanceof SyntaxError) {
        opts.log?.warn({ id }, 'skipping an unreadable session file');
        return undefined;
      }
      throw storeError(err, `read session ${id}`);
    }
  }

  async function rebuildIndex(): Promise<SessionJson[]> {
    const names = await readdir(dir).catch(() => [] as string[]);
    const entries: SessionJson[] = [];
    for (const name of names) {
      const m = /^([0-9a-f]+)\.json$/.exec(name);
      if (!m) continue;
      const s = await readSession(m[1]!);
      if (s) entries.push(indexEntry(s));
    }
    return entries;
  }

  /**
   * The index as stored; rebuilt from the session files when missing or corrupt. Writers (`repair`)
   * also rebuild it when it disagrees with the files, e.g. after a writer was killed between the two writes.
   */
  async function readIndex(repair: boolean): Promise<SessionJson[]> {
    try {
      const parsed = JSON.parse(await readFile(join(dir, INDEX), 'utf8')) as { sessions?: SessionJson[] };
      if (Array.isArray(parsed.sessions)) {
        if (!repair) return parsed.sessions;
        const files = (await readdir(dir)).filter((n) => /^[0-9a-f]+\.json$/.test(n)).length;
        if (files === parsed.sessions.length) return parsed.sessions;
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code && code !== 'ENOENT') throw storeError(err, 'read the session index');
    }
    const rebuilt = await rebuildIndex();
    if (repair && rebuilt.length > 0) await writeIndex(rebuilt);
    return rebuilt;
  }

  const writeIndex = (entries: SessionJson[]) => atomicWrite(dir, INDEX, formatIndex(entries));

  /**
   * The first `count` entries and the total, from the head of the index alone (it is written most
   * recent first, one entry per line): `sessions list` at 10,000 sessions reads kilobytes, not the
   * whole file. Undefined when the file is not in that layout or anything looks off; the caller
   * then reads the whole index, which also repairs.
   */
  async function headOfIndex(count: number): Promise<{ entries: SessionJson[]; total: number } | undefined> {
    const fh = await open(join(dir, INDEX), 'r').catch(() => undefined);
    if (!fh) return undefined;
    try {
      for (let size = 64 * 1024; ; size *= 4) {
        const buf = Buffer.alloc(size);
        const { bytesRead } = await fh.read(buf, 0, size, 0);
        const lines = buf.toString('utf8', 0, bytesRead).split('\n');
        if (bytesRead === size) lines.pop(); // the last line may be cut short
        const total = Number(INDEX_HEAD.exec(lines[0] ?? '')?.[1] ?? NaN);
        if (!Number.isInteger(total)) return undefined;
        const entries = lines.slice(1).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l.endsWith(',') ? l.slice(0, -1) : l) as SessionJson);
        if (entries.length >= Math.min(count, total)) return { entries: entries.slice(0, count), total };
        if (bytesRead < size) return undefined; // fewer entries than the header says
      }
    } catch {
      return undefined;
    } finally {
      await fh.close();
    }
  }

  async function putEntry(s: Session, entries?: SessionJson[]) {
    const list = (entries ?? (await readIndex(false))).filter((e) => e.id !== s.id);
    list.push(indexEntry(s));
    await writeIndex(list);
  }

  async function resolveId(idOrPrefix: string, entries?: SessionJson[]): Promise<string> {
    const id = checkId(idOrPrefix);
    const all = entries ?? (await readIndex(false));
    if (all.some((e) => e.id === id)) return id;
    const matches = all.filter((e) => e.id.startsWith(id)).map((e) => e.id);
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw new ClinvkError('SESSION_AMBIGUOUS', `session id "${id}" matches ${matches.length} sessions: ${matches.slice(0, 5).join(', ')}${matches.length > 5 ? ', …' : ''}`, { hint: 'give more characters of the id' });
    throw new ClinvkError('SESSION_NOT_FOUND', `no session "${id}"`, { hint: 'list sessions with `clinvk sessions list`' });
  }

  const store: SessionStore & { dir: string; probe(): Promise<{ lockSeen: boolean }> } = {
    dir,
    create(init: NewSession) {
      return exclusive('create a session', async () => {
        const entries = await readIndex(true);
        const at = new Date(now()).toISOString();
        const s: Session = {
          id: newId(),
          backend: init.backend,
          createdAt: at,
          lastUsed: at,
          workingDir: init.workingDir,
          initialPrompt: init.initialPrompt,
          status: init.status ?? 'active',
          turnCount: 0,
          tokenUsage: emptyUsage(),
          tags: init.tags ?? [],
          title: init.title ?? init.initialPrompt.replace(/\s+/g, ' ').trim().slice(0, 80),
          metadata: init.metadata ?? {},
          ...(init.model ? { model: init.model } : {}),
          ...(init.parentId ? { parentId: init.parentId } : {}),
          ...(init.backendSessionId ? { backendSessionId: init.backendSessionId } : {}),
        };
        await atomicWrite(dir, `${s.id}.json`, JSON.stringify(sessionToJson(s), null, 2));
        try {
          await putEntry(s, entries);
        } catch (err) {
          // The caller is told the session was not created: leave no file a later repair would adopt.
          await rm(fileOf(s.id), { force: true }).catch(() => undefined);
          throw err;
        }
        return s;
      });
    },

    async get(idOrPrefix) {
      const id = await resolveId(idOrPrefix);
      const s = await readSession(id);
      if (!s) throw new ClinvkError('SESSION_NOT_FOUND', `no session "${id}"`, { hint: 'list sessions with `clinvk sessions list`' });
      return s;
    },

    update(idOrPrefix, mutate) {
      return exclusive('update a session', async () => {
        const entries = await readIndex(true);
        const id = await resolveId(idOrPrefix, entries);
        const current = await readSession(id);
        if (!current) throw new ClinvkError('SESSION_NOT_FOUND', `no session "${id}"`);
        const next = { ...mutate(structuredClone(current)), id };
        await atomicWrite(dir, `${id}.json`, JSON.stringify(sessionToJson(next), null, 2));
        await putEntry(next, entries);
        return next;
      });
    },

    async list(filter: SessionFilter = {}) {
      const offset = filter.offset ?? 0;
      if (!filter.backend && !filter.status && !filter.workingDir && filter.limit !== undefined) {
        const head = await headOfIndex(offset + filter.limit);
        if (head) return { sessions: head.entries.slice(offset).map(sessionFromJson), total: head.total };
      }
      // Filters and sorts the raw index entries and converts only the page: with 10,000 sessions
      // converting (and localeCompare-sorting) every one costs more than reading the file.
      const hit = (await readIndex(false))
        .filter((e) => (!filter.backend || e.backend === filter.backend) && (!filter.status || e.status === filter.status) && (!filter.workingDir || e.working_dir === filter.workingDir))
        .sort(byLastUsedDesc);
      const page = hit.slice(offset, filter.limit === undefined ? undefined : offset + filter.limit);
      return { sessions: page.map(sessionFromJson), total: hit.length };
    },

    delete(idOrPrefix) {
      return exclusive('delete a session', async () => {
        const entries = await readIndex(true);
        const id = await resolveId(idOrPrefix, entries);
        await rm(fileOf(id), { force: true }).catch((e) => {
          throw storeError(e, `delete session ${id}`);
        });
        await writeIndex(entries.filter((e) => e.id !== id));
      });
    },

    clean(olderThanDays) {
      return exclusive('clean sessions', async () => {
        if (olderThanDays <= 0) return { deleted: [] };
        const entries = await readIndex(true);
        const cutoff = now() - olderThanDays * 86_400_000;
        const old = (e: { last_used: string; status: string }) => {
          const last = Date.parse(e.last_used);
          const inUse = e.status === 'active' && now() - last < IN_USE_MS;
          return last < cutoff && !inUse;
        };
        const gone = new Set<string>();
        for (const e of entries.filter(old)) {
          // The file decides, not the index: a writer killed between its two writes leaves the
          // index entry stale, and a session just used must never be deleted for it.
          const s = await readSession(e.id);
          if (s && !old(sessionToJson(s))) continue;
          if (s) await rm(fileOf(e.id), { force: true });
          if (s || !(await exists(fileOf(e.id)))) gone.add(e.id); // an unreadable file is left alone
        }
        await writeIndex(entries.filter((e) => !gone.has(e.id)));
        await sweepTempFiles(dir, now());
        return { deleted: [...gone] };
      });
    },

    async count() {
      return (await readIndex(false)).length;
    },

    /**
     * For `clinvk doctor`: the same lock and atomic write as every session write, on a scratch file,
     * and whether another process would see the lock as held (`lockSeen`). Throws SESSION_STORE.
     */
    probe() {
      return exclusive('write to the sessions folder', async () => {
        const { default: lockfile } = await import('proper-lockfile');
        const lockSeen = await lockfile.check(dir, { lockfilePath: join(dir, '.lock'), realpath: false, stale: staleMs });
        const name = `.doctor-${process.pid}.probe`;
        await atomicWrite(dir, name, 'ok\n');
        await rm(join(dir, name), { force: true });
        return { lockSeen };
      });
    },
  };
  return store;
}
