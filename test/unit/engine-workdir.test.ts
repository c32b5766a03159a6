import { describe, expect, it } from 'vitest';
import { extraPaths } from '../../runtime/backends/options.ts';
import { isUnder, resolveWorkdir, workdirRefusal } from '../../runtime/workdir.ts';
import { lines, rejection, setup } from './engine-helpers.ts';

const inv = { backend: 'fake', prompt: 'hi' };
/** The engine's cwd in engine-helpers' setup. */
const CWD = '/home/u/proj';
const policy = (allowed: string[] = [], blocked: string[] = []) => ({ workdirPolicy: { allowed, blocked } });

describe('workdir policy', () => {
  it('isUnder matches whole path segments', () => {
    expect(isUnder('/etc', '/etc')).toBe(true);
    expect(isUnder('/etc/x', '/etc/')).toBe(true);
    expect(isUnder('/etc2', '/etc')).toBe(false);
    expect(isUnder('/anything', '/')).toBe(true);
  });

  it('refuses /, built-in blocked prefixes and configured ones (which extend, not replace)', () => {
    expect(workdirRefusal('/', { allowed: [], blocked: [] })).toMatch(/root directory/);
    expect(workdirRefusal('/etc/nginx', { allowed: [], blocked: ['/data'] })).toMatch(/blocked prefix \/etc/);
    expect(workdirRefusal('/data/x', { allowed: [], blocked: ['/data/'] })).toMatch(/blocked prefix \/data/);
    expect(workdirRefusal('/home/u', { allowed: [], blocked: ['/data'] })).toBeUndefined();
    expect(workdirRefusal('/srv/a', { allowed: ['/home'], blocked: [] })).toMatch(/outside the allowed prefixes/);
    expect(workdirRefusal('/home/a', { allowed: ['/home'], blocked: [] })).toBeUndefined();
  });

  it('without a policy (CLI) relative paths are taken from cwd; with one they are refused', async () => {
    const realpath = async (p: string) => p;
    expect(await resolveWorkdir('sub/dir', { cwd: '/home/u', realpath })).toBe('/home/u/sub/dir');
    expect(await resolveWorkdir(undefined, { cwd: '/home/u', realpath })).toBe('/home/u');
    const e = await rejection(resolveWorkdir('sub', { cwd: '/home/u', realpath, policy: { allowed: [], blocked: [] } }));
    expect(e).toMatchObject({ code: 'WORKDIR_FORBIDDEN', message: expect.stringMatching(/absolute/) });
  });
});

describe('engine with a workdir policy (server)', () => {
  // The last column: a path of this machine the caller did not send, kept out of the message (it is the detail).
  const cases: [string, ReturnType<typeof policy>, string | undefined, RegExp | null, string?][] = [
    ['allowed prefix ok', policy(['/srv']), '/srv/app', null],
    ['outside allowed', policy(['/srv']), '/home/u/proj', /outside the allowed/],
    ['blocked built-in', policy(), '/etc', /blocked prefix \/etc/],
    ['blocked configured', policy([], ['/srv/secret']), '/srv/secret/x', /blocked prefix \/srv\/secret/],
    ['root', policy(), '/', /root directory/],
    ['symlink into a blocked dir (resolved by realpath)', policy(['/home']), '/home/u/link', /^workdir refused: \/home\/u\/link leads into a blocked directory$/, '/etc/secret'],
    ['symlink out of the allowed prefix', policy(['/srv/allowed']), '/srv/allowed/link', /^workdir refused: \/srv\/allowed\/link is outside the allowed prefixes \(\/srv\/allowed\)$/, '/srv/other'],
    ['default workdir is checked too', policy(['/srv']), undefined, /^workdir refused: the server's working directory is outside the allowed/, CWD],
  ];
  for (const [name, pol, workdir, err, hidden] of cases) {
    it(name, async () => {
      const { engine, calls } = setup(lines([]), pol);
      const run = engine.plan({ ...inv, ...(workdir !== undefined ? { workdir } : {}) });
      if (err === null) {
        expect((await run).cwd).toBe(workdir);
      } else {
        const e = await rejection(run);
        expect(e.code).toBe('WORKDIR_FORBIDDEN');
        expect(e.message).toMatch(err);
        if (hidden) {
          expect(e.message).not.toContain(hidden);
          expect((e as { detail?: string }).detail).toContain(hidden);
        }
      }
      expect(calls).toHaveLength(0);
    });
  }

  it('extra paths (--add-dir, --include-directories, --image) obey the same rules as the workdir', async () => {
    const flags = [{ name: '--add-dir', value: '/a' }, { name: '--effort', value: 'high' }, { name: '--include-directories', value: 'b, c' }, { name: '-i', value: 'x.png' }, { name: '--verbose' }];
    expect(extraPaths(flags)).toEqual(['/a', 'b', 'c', 'x.png']);
    const refused: [string[], RegExp][] = [
      [['--add-dir', '/etc'], /extra path refused: \/etc is inside the blocked prefix \/etc/],
      [['--add-dir=/home/u/link'], /^extra path refused: \/home\/u\/link leads into a blocked directory$/],
      [['--include-directories', '/srv/app,/root'], /\/root is inside the blocked prefix/],
      [['--add-dir', '/srv/missing'], /extra path \/srv\/missing does not exist/],
    ];
    for (const [extra, err] of refused) {
      const { engine, calls } = setup(lines([]), policy(['/srv', '/home']));
      const e = await rejection(engine.plan({ ...inv, workdir: '/srv/app', extra }));
      expect(e, extra.join(' ')).toMatchObject({ code: 'WORKDIR_FORBIDDEN', message: expect.stringMatching(err) });
      expect(calls).toHaveLength(0);
    }
    const { engine } = setup(lines([]), policy(['/srv']));
    expect((await engine.plan({ ...inv, workdir: '/srv/app', extra: ['--add-dir', 'lib', '--include-directories=/srv/b'] })).args).toEqual(expect.arrayContaining(['--add-dir', 'lib']));
    // The CLI has no policy: its user may add any directory.
    const cli = setup(lines([]));
    expect((await cli.engine.plan({ ...inv, extra: ['--add-dir', '/etc'] })).args).toEqual(expect.arrayContaining(['--add-dir', '/etc']));
  });

  it('the CLI (no policy) may use any existing directory, symlinks resolved', async () => {
    const { engine } = setup(lines([]));
    expect((await engine.plan({ ...inv, workdir: '/home/u/link' })).cwd).toBe('/etc/secret');
  });
});
