// The code cache of the quick path (cli/compiled-require.ts) never takes the last room of a disk:
// on a home whose disk has less free than CACHE_DISK_RESERVE it writes nothing, so the sessions keep
// that room. Under Node 24 (larger V8 caches) a prompt run just after a full disk was cleared wrote
// ~46 KB of cache and left the next session write ENOSPC (test/reliability/session-faults.test.ts,
// "once the disk is writable again").
//
// The small disk is a real tmpfs mounted on CLINVK_HOME, which needs root with CAP_SYS_ADMIN; elsewhere
// the test skips and says so.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CACHE_DISK_RESERVE } from '../../cli/compiled-require.ts';
import { clinvk, ensureBuilt, sandbox } from './cli-helpers.ts';

const sh = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' });
/** 256 KiB: room for several caches (~50 KB each) and sessions, far less than the reserve. */
const SMALL_DISK = 256 * 1024;
const mounted: string[] = [];

/** A tmpfs of `bytes` mounted on a fresh folder, or undefined where mounting is not allowed. */
function smallDisk(bytes: number): string | undefined {
  if (process.platform !== 'linux') return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'clinvk-small-disk-'));
  if (sh('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir]).status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  mounted.push(dir);
  return dir;
}

let disk: string | undefined;
beforeAll(() => {
  ensureBuilt();
  disk = smallDisk(SMALL_DISK);
  if (!disk) console.log('compile-cache-disk: skipped, mounting a tmpfs needs root with CAP_SYS_ADMIN on Linux');
});
afterAll(() => {
  for (const m of mounted.splice(0)) {
    if (sh('umount', [m]).status !== 0) sh('umount', ['-l', m]);
    rmSync(m, { recursive: true, force: true });
  }
});

const freeBytes = (dir: string) => {
  const { bavail, bsize } = statfsSync(dir);
  return bavail * bsize;
};
/** Two prompts that save a session: they load prompt.cjs and the lock library, both cached when there is room. */
async function twoSavedPrompts(env: Record<string, string>): Promise<string[]> {
  const ids: string[] = [];
  for (const p of ['first', 'second']) {
    const r = await clinvk(['-b', 'claude', '-o', 'json', p], { env });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { session_id: string; warnings: string[] };
    expect(out.warnings).toEqual([]);
    ids.push(out.session_id);
  }
  return ids;
}

describe('the code cache on a nearly full disk', () => {
  it('is written where the disk has room (the control)', async () => {
    const { env } = sandbox();
    expect(freeBytes(tmpdir())).toBeGreaterThan(CACHE_DISK_RESERVE * 2);
    await twoSavedPrompts(env);
    expect(readdirSync(join(env.CLINVK_HOME!, 'cache')).map((f) => f.split('-')[0]).sort()).toEqual(['prompt.cjs', 'proper']);
  });

  it('is not written where the disk has less free than the reserve: the sessions keep the room', async (ctx) => {
    if (!disk) return ctx.skip();
    const { env } = sandbox({ CLINVK_HOME: disk });
    const free = freeBytes(disk);
    expect(free).toBeLessThan(CACHE_DISK_RESERVE);
    const ids = await twoSavedPrompts(env);
    const cache = join(disk, 'cache');
    expect(existsSync(cache) ? readdirSync(cache) : [], 'cache files on the small disk').toEqual([]);
    const sessions = readdirSync(join(disk, 'sessions')).filter((n) => n.endsWith('.json'));
    expect(sessions.sort()).toEqual([...ids.map((id) => `${id}.json`), 'index.json'].sort());
    // Only the sessions took room: a page for each file (tmpfs counts whole pages), nothing more.
    expect(free - freeBytes(disk)).toBeLessThanOrEqual(sessions.length * statfsSync(disk).bsize);
  });
});
