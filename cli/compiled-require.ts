// Loads one of dist/'s CommonJS files with V8's code cache, kept in $CLINVK_HOME/cache. Without it
// V8 compiles the same ~100 KB again on every `clinvk "prompt"` (~2.5 ms of a start-up whose budget
// is a third of a Node start; ~14 ms more with a config file, for yaml and the schema). Node 22 does
// this itself (module.enableCompileCache()); Node 20 lacks it.
// The cache is made after the first run, so it holds the functions that run actually compiled. Its
// name carries the build's id (a hash of dist's CommonJS files, made by scripts/build.mjs) and the
// Node version: V8 itself only checks its own version and the source's length, and bytecode of other
// source of the same length would run as if it were this one. A refused or unreadable cache only means
// compiling as usual.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/**
 * The cache is a speed-up of a few ms, so it never takes the last of a disk: it is written only
 * where this much stays free after it. A nearly full disk keeps its room for the sessions; a cache
 * of ~50 KB per file written just after a full disk was cleared can fill it again (it did, on a
 * small tmpfs, under Node 24, whose caches are larger).
 */
export const CACHE_DISK_RESERVE = 64 * 1024 * 1024;

/** Each file is evaluated once per process, as require() would. */
const loaded = new Map<string, unknown>();

export interface CodeCache {
  dir: string;
  /** Changes whenever any of the files could: the cache of one build is never used for another. */
  buildId: string;
}

export function requireCompiled(file: string, cache: CodeCache | undefined): unknown {
  if (!cache) return createRequire(file)(file);
  if (loaded.has(file)) return loaded.get(file);
  const cachePath = join(cache.dir, `${basename(file)}-${cache.buildId}-${process.version}-${process.arch}.v8`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cachePath);
  } catch {
    // no cache yet
  }
  const script = new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, ...(cachedData ? { cachedData } : {}) });
  if (!cachedData || script.cachedDataRejected) process.once('exit', () => save(cachePath, script, file));
  // The files it requires by a relative name (dist/lazy/*.cjs: yaml, the config schema, …) go through
  // the cache too; packages (pino) load as usual.
  const plain = createRequire(file);
  const req = Object.assign((id: string) => (id.startsWith('./') && id.endsWith('.cjs') ? requireCompiled(join(dirname(file), id), cache) : plain(id)), plain);
  const mod = { exports: {} as unknown };
  loaded.set(file, mod.exports);
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeRequire, module: unknown, filename: string, dirname: string) => void;
  wrapper.call(mod.exports, mod.exports, req, mod, file, dirname(file));
  loaded.set(file, mod.exports);
  return mod.exports;
}

/**
 * Best effort and atomic (a reader never sees half a file); a home that cannot be written, or whose
 * disk is nearly full (CACHE_DISK_RESERVE), is fine. Drops the caches of earlier builds of the same
 * file (only written after an install or upgrade).
 */
function save(path: string, script: Script, file: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const dir = dirname(path);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const old of readdirSync(dir)) if (old.startsWith(`${basename(file)}-`)) rmSync(join(dir, old), { force: true });
    const data = script.createCachedData();
    const { bavail, bsize } = statfsSync(dir);
    if (bavail * bsize - data.length < CACHE_DISK_RESERVE) return;
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, path);
  } catch {
    // Not cached this time. A full disk must not keep the half-written file: sessions need the room.
    try {
      rmSync(tmp, { force: true });
    } catch {
      // a read-only disk has no half-written file
    }
  }
}
