// The built `clinvk` against the fake CLIs: answers, formats, streaming, flag-like prompts, dry runs,
// errors and exit codes, timeouts and Ctrl-C leaving no process behind, sessions and -c.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stretched } from '../reliability/work-bound.ts';
import { alive, clinvk, ensureBuilt, fakeLog, sandbox, untilGrandchildStarted } from './cli-helpers.ts';

beforeAll(() => ensureBuilt());

describe('clinvk <prompt>', () => {
  it.each(['claude', 'codex', 'gemini'])('prints the %s answer as text', async (backend) => {
    const { env } = sandbox();
    const r = await clinvk(['-b', backend, '-o', 'text', 'hi there'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Hello from fake ${backend} (turn 1): hi there\n`);
  });

  it('-o json prints the SPEC fields with usage and the native session id', async () => {
    const { env } = sandbox();
    const r = await clinvk(['-b', 'gemini', '-o', 'json', 'hi'], { env });
    const j = JSON.parse(r.stdout) as Record<string, any>;
    expect(j).toMatchObject({ backend: 'gemini', content: 'Hello from fake gemini (turn 1): hi', exit_code: 0, usage: { input_tokens: 16460, output_tokens: 22, total_tokens: 16482 } });
    expect(j.session_id).toMatch(/^[0-9a-f]{16}$/);
    expect(j.backend_session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof j.duration_seconds).toBe('number');
    // Every documented key, also on success: error null, warnings [].
    expect(Object.keys(j).sort()).toEqual(['backend', 'backend_session_id', 'content', 'cost_usd', 'duration_seconds', 'error', 'exit_code', 'model', 'session_id', 'usage', 'warnings']);
    expect(j.error).toBeNull();
    expect(j.warnings).toEqual([]);
    const ephemeral = JSON.parse((await clinvk(['-b', 'codex', '-o', 'json', '--ephemeral', 'hi'], { env })).stdout) as Record<string, any>;
    expect(ephemeral).toMatchObject({ session_id: null, cost_usd: null, error: null, warnings: [] });
  });

  it('-o stream-json streams unified events, and the first text arrives before the backend exits', async () => {
    const { env } = sandbox({ FAKE_CHUNK_DELAY_MS: '300', FAKE_CHUNKS: '3' });
    const r = await clinvk(['-b', 'claude', '-o', 'stream-json', 'stream it'], { env });
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; content: Record<string, unknown> });
    expect(events[0]!.type).toBe('init');
    expect(events.filter((e) => e.type === 'message').length).toBe(3);
    expect(events.at(-1)!.type).toBe('done');
    const firstText = r.chunks.find((c) => c.text.includes('"message"'))!.at;
    const last = r.chunks.at(-1)!.at;
    expect(last - firstText).toBeGreaterThan(400);
  });

  it('text mode writes the first chunk before the backend finishes', async () => {
    const { env } = sandbox({ FAKE_CHUNK_DELAY_MS: '300', FAKE_CHUNKS: '3' });
    const r = await clinvk(['-b', 'gemini', '-o', 'text', 'slow'], { env });
    expect(r.chunks.length).toBeGreaterThan(1);
    expect(r.chunks.at(-1)!.at - r.chunks[0]!.at).toBeGreaterThan(400);
  });

  it('`-- "--help me"` reaches the backend as the prompt', async () => {
    const { env, home } = sandbox({ FAKE_LOG: '' });
    env.FAKE_LOG = join(home, 'log');
    const r = await clinvk(['-b', 'claude', '-o', 'text', '--', '--help me'], { env });
    expect(r.stdout).toContain('(turn 1): --help me');
    const argv = fakeLog(env.FAKE_LOG)[0]!.argv;
    expect(argv.slice(-2)).toEqual(['--', '--help me']);
  });

  it('reads the prompt from stdin with `-` and when piped', async () => {
    const { env } = sandbox();
    expect((await clinvk(['-b', 'codex', '-o', 'text', '-'], { env, input: 'from stdin\n' })).stdout).toContain('(turn 1): from stdin');
    expect((await clinvk(['-b', 'codex', '-o', 'text'], { env, input: 'piped' })).stdout).toContain('(turn 1): piped');
    // An empty pipe is clipanion's usage error, read after the quick path found nothing there.
    for (const argv of [['-b', 'codex', '-'], ['-b', 'codex']]) {
      const empty = await clinvk(argv, { env, input: '  \n' });
      expect(empty.code).toBe(1);
      expect(empty.stderr + empty.stdout).toMatch(/Usage Error: no prompt/);
    }
  });

  it('--dry-run prints the exact argv and runs nothing', async () => {
    const { env, home } = sandbox();
    env.FAKE_LOG = join(home, 'log');
    const r = await clinvk(['--dry-run', '-o', 'text', '-b', 'codex', '-m', 'gpt-x', 'say "hi"'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/codex exec --json --skip-git-repo-check .*-m gpt-x .*-- 'say "hi"'\n$/);
    expect(fakeLog(env.FAKE_LOG)).toEqual([]);
  });

  it('the quick path and clipanion build the same run', async () => {
    // `--no-verbose` is left to clipanion (cli/quick-argv.ts); without it the same flags are read quickly.
    const { env } = sandbox();
    const flags = ['--dry-run', '-o', 'json', '-b', 'gemini', '-m', 'best', '--approval', 'auto', '-t', '90', '--extra=--include-directories', '--extra=/tmp'];
    const quick = await clinvk([...flags, 'fix it'], { env });
    const full = await clinvk([...flags, '--no-verbose', 'fix it'], { env });
    expect(quick.code).toBe(0);
    expect(JSON.parse(quick.stdout)).toMatchObject({ dry_run: true, backend: 'gemini' });
    expect(quick.stdout).toBe(full.stdout);
  });

  it('unknown backend → 1, not installed → 2, backend failure → its own exit code, bad config → 3', async () => {
    const { env, home } = sandbox();
    const unknown = await clinvk(['-b', 'nope', 'x'], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown backend "nope"/);
    const missing = await clinvk(['-b', 'gemini', 'x'], { env: { ...env, PATH: '/usr/bin:/bin' } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/gemini/);
    expect(missing.stderr).toMatch(/hint: .*npm i -g @google\/gemini-cli/);
    const failing = await clinvk(['-b', 'gemini', 'x'], { env: { ...env, FAKE_FAIL: 'auth' } });
    expect(failing.code).toBe(41);
    expect(failing.stderr).toMatch(/Auth method/);
    writeFileSync(join(home, 'bad.yaml'), 'default_backend: [1, 2\n');
    const bad = await clinvk(['--config', join(home, 'bad.yaml'), 'x'], { env });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/bad\.yaml/);
  });

  it('a 300 KiB prompt piped in reaches the backend whole (on its stdin); past max_prompt_bytes exits 1', async () => {
    const { env, home } = sandbox();
    const big = `-x ${'y'.repeat(300 * 1024)} end`;
    const r = await clinvk(['-b', 'codex', '-o', 'json', '--ephemeral', '-'], { env, input: big });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { content: string };
    expect(j.content === `Hello from fake codex (turn 1): ${big}`, 'the answer echoes the whole prompt').toBe(true);
    const dry = await clinvk(['--dry-run', '-b', 'claude', '-o', 'text', '-'], { env, input: big });
    expect(dry.stdout.trim().endsWith(' --')).toBe(true);
    expect(dry.stderr).toContain(`(the prompt, ${big.length} bytes, would go on stdin)`);
    writeFileSync(join(home, 'small.yaml'), 'max_prompt_bytes: 100\n');
    const over = await clinvk(['--config', join(home, 'small.yaml'), '-b', 'codex', 'z'.repeat(101)], { env });
    expect(over.code).toBe(1);
    expect(over.stderr).toMatch(/the prompt is too large: 101 bytes \(with its system prompt\), and this clinvk accepts at most 100 \(max_prompt_bytes\)/);
  });

  it('a timeout exits 6 and leaves no child or grandchild', async () => {
    const { env, home } = sandbox({ FAKE_HANG: '1' });
    env.FAKE_SPAWN_CHILD = join(home, 'child.pid');
    env.FAKE_LOG = join(home, 'log');
    const { r, secs, grandchild } = await untilGrandchildStarted(env.FAKE_SPAWN_CHILD, (secs) =>
      clinvk(['-b', 'claude', '-o', 'text', '--timeout', String(secs), 'hang'], { env }),
    );
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(`timed out after ${secs}s`);
    const fake = fakeLog(env.FAKE_LOG).filter((l) => l.phase === 'start').at(-1)!.pid;
    await new Promise((res) => setTimeout(res, 300));
    expect(alive(fake)).toBe(false);
    expect(alive(grandchild)).toBe(false);
  }, stretched(60_000));

  it('Ctrl-C exits 7 and leaves no child or grandchild', async () => {
    const { env, home } = sandbox({ FAKE_HANG: '1' });
    env.FAKE_SPAWN_CHILD = join(home, 'child.pid');
    env.FAKE_LOG = join(home, 'log');
    const r = await clinvk(['-b', 'gemini', '-o', 'text', 'hang'], {
      env,
      onStart: (c) => {
        const poll = setInterval(() => {
          if (fakeLog(env.FAKE_LOG!).length) {
            clearInterval(poll);
            setTimeout(() => c.kill('SIGINT'), 200);
          }
        }, 50);
      },
    });
    expect(r.code).toBe(7);
    const fake = fakeLog(env.FAKE_LOG)[0]!.pid;
    const grandchild = Number(readFileSync(env.FAKE_SPAWN_CHILD, 'utf8'));
    await new Promise((res) => setTimeout(res, 300));
    expect(alive(fake)).toBe(false);
    expect(alive(grandchild)).toBe(false);
  });
});

describe('sessions and -c', () => {
  it.each([
    [
      'codex',
      (argv: string[], id: string) => {
        expect(argv.slice(argv.indexOf('exec'), argv.indexOf('exec') + 2)).toEqual(['exec', 'resume']);
        expect(argv.slice(-2)).toEqual([id, 'again']);
      },
    ],
    ['claude', (argv: string[], id: string) => expect(argv[argv.indexOf('--resume') + 1]).toBe(id)],
    ['gemini', (argv: string[], id: string) => expect(argv[argv.indexOf('--resume') + 1]).toBe(id)],
  ])('%s: -c resumes the native session; the session shows 2 turns and summed usage', async (backend, checkArgv) => {
    const { env, home } = sandbox();
    env.FAKE_LOG = join(home, 'log');
    const first = JSON.parse((await clinvk(['-b', backend, '-o', 'json', 'first'], { env })).stdout) as { session_id: string; backend_session_id: string; usage: { input_tokens: number } };
    const again = await clinvk(['-b', backend, '-o', 'json', '-c', 'again'], { env });
    expect(again.stderr).toMatch(/Continuing session/);
    const second = JSON.parse(again.stdout) as { session_id: string; content: string; usage: { input_tokens: number } };
    expect(second.session_id).toBe(first.session_id);
    expect(second.content).toContain('(turn 2): again');
    const starts = fakeLog(env.FAKE_LOG).filter((e) => e.phase === 'start');
    checkArgv(starts[1]!.argv, first.backend_session_id);
    const show = JSON.parse((await clinvk(['sessions', 'show', first.session_id.slice(0, 6), '--json'], { env })).stdout) as { turn_count: number; token_usage: { input_tokens: number } };
    expect(show.turn_count).toBe(2);
    expect(show.token_usage.input_tokens).toBe(first.usage.input_tokens + second.usage.input_tokens);
  });

  it('resume, sessions list/delete/clean', async () => {
    const { env } = sandbox();
    const first = JSON.parse((await clinvk(['-b', 'claude', '-o', 'json', 'one'], { env })).stdout) as { session_id: string };
    const resumed = await clinvk(['resume', '--last', '-o', 'text', 'two'], { env });
    expect(resumed.stdout).toContain('(turn 2): two');
    expect(resumed.stderr).toMatch(/Resuming session/);
    const list = await clinvk(['sessions', 'list'], { env });
    // --config is left to clipanion (cli/quick-argv.ts): both ways list the same.
    const listed = await clinvk(['sessions', 'list', '--json'], { env });
    expect(JSON.parse(listed.stdout)).toMatchObject({ total: 1, sessions: [{ id: first.session_id }] });
    expect((await clinvk(['sessions', 'list', '--json', '--config', 'none.yaml'], { env })).stdout).toBe(listed.stdout);
    expect(list.stdout).toMatch(/^ID\s+BACKEND\s+STATUS\s+LAST USED\s+TOKENS\s+TITLE/);
    expect(list.stdout).toContain(first.session_id.slice(0, 8));
    expect(list.stdout).toContain('just now');
    const notTty = await clinvk(['resume', '-i'], { env });
    expect(notTty.stderr).toMatch(/--interactive needs a terminal/);
    expect((await clinvk(['sessions', 'show', '../etc'], { env })).code).toBe(1);
    const short = await clinvk(['sessions', 'delete', first.session_id.slice(0, 7)], { env });
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/is too short to delete a session: give its full id or at least 8 characters/);
    expect((await clinvk(['sessions', 'show', first.session_id.slice(0, 4)], { env })).code).toBe(0);
    expect((await clinvk(['sessions', 'delete', first.session_id.slice(0, 8)], { env })).code).toBe(0);
    expect((await clinvk(['sessions', 'show', first.session_id], { env })).code).toBe(4);
  });
});

describe('the code cache of the quick path', () => {
  it('is written after the first run, used afterwards, and replaced when V8 refuses it', async () => {
    const { env } = sandbox();
    const cache = join(env.CLINVK_HOME!, 'cache');
    const run = async () => (await clinvk(['-b', 'claude', '--ephemeral', '-o', 'text', 'hi'], { env })).stdout;
    expect(await run()).toContain('fake claude');
    const [file, ...more] = readdirSync(cache);
    expect(more).toEqual([]);
    expect(file).toMatch(/^prompt\.cjs-[0-9a-f]{16}-v\d+\.\d+\.\d+-\w+\.v8$/);
    const written = statSync(join(cache, file!)).mtimeMs;
    expect(await run()).toContain('fake claude');
    expect(statSync(join(cache, file!)).mtimeMs).toBe(written); // accepted by V8, so not written again
    // Garbage (a broken disk, another V8) is refused by V8: the run compiles as usual and writes a good cache;
    // a cache of an earlier build is dropped.
    writeFileSync(join(cache, file!), 'garbage');
    writeFileSync(join(cache, 'prompt.cjs-0123456789abcdef-v0.0.0-x64.v8'), 'old build');
    expect(await run()).toContain('fake claude');
    expect(readdirSync(cache)).toEqual([file]);
    expect(readFileSync(join(cache, file!)).length).toBeGreaterThan(1000);
    // What the prompt loads only when needed (yaml and the schema for a config file, the lock library for
    // a session) is cached too, and still works from its cache.
    writeFileSync(join(env.CLINVK_HOME!, 'config.yaml'), 'backends:\n  claude: { model: from-the-file }\n');
    for (let i = 0; i < 2; i++) {
      const r = JSON.parse((await clinvk(['-b', 'claude', '-o', 'json', 'hi'], { env })).stdout) as { model: string; session_id: string };
      expect(r.model).toBe('from-the-file');
      expect(r.session_id).toMatch(/^[0-9a-f]{16}$/);
    }
    expect(readdirSync(cache).map((f) => f.split('-')[0]).sort()).toEqual(['config', 'prompt.cjs', 'proper', 'yaml.cjs']);
  });

  it('CLINVK_NO_COMPILE_CACHE=1 writes nothing; a home that cannot be written is no error', async () => {
    const off = sandbox({ CLINVK_NO_COMPILE_CACHE: '1' });
    expect((await clinvk(['-b', 'claude', '--ephemeral', '-o', 'text', 'hi'], { env: off.env })).stdout).toContain('fake claude');
    expect(existsSync(join(off.env.CLINVK_HOME!, 'cache'))).toBe(false);
    const blocked = sandbox();
    mkdirSync(blocked.env.CLINVK_HOME!, { recursive: true });
    writeFileSync(join(blocked.env.CLINVK_HOME!, 'cache'), 'a file where the cache folder should be');
    const r = await clinvk(['-b', 'claude', '--ephemeral', '-o', 'text', 'hi'], { env: blocked.env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('fake claude');
  });
});

describe('clinvk config and version', () => {
  it('set validates and keeps the file; get and show read it back', async () => {
    const { env, home } = sandbox();
    expect((await clinvk(['config', 'set', 'backends.codex.model', 'gpt-x'], { env })).code).toBe(0);
    expect((await clinvk(['config', 'set', 'default_backend', 'gemini'], { env })).code).toBe(0);
    expect((await clinvk(['config', 'get', 'backends.codex.model'], { env })).stdout).toBe('gpt-x\n');
    const bad = await clinvk(['config', 'set', 'server.port', 'not-a-number'], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/server\.port/);
    const show = await clinvk(['config', 'show'], { env });
    expect(show.stdout).toContain(`# ${join(home, '.clinvk', 'config.yaml')}`);
    expect(show.stdout).toMatch(/default_backend: gemini/);
    // The new default backend is used.
    expect((await clinvk(['-o', 'text', 'hi'], { env })).stdout).toContain('fake gemini');
  });

  it('version lists ours and each installed backend', async () => {
    const { env } = sandbox();
    const r = await clinvk(['version'], { env });
    expect(r.stdout).toMatch(/^clinvk \d+\.\d+\.\d+/);
    expect(r.stdout).toMatch(/claude\s+2\.1\.330/);
    expect(r.stdout).toMatch(/codex\s+.*0\.169\.0/);
    expect((await clinvk(['--version'], { env })).stdout).toMatch(/^\d+\.\d+\.\d+/);
    expect((await clinvk(['--help'], { env })).stdout).toMatch(/clinvk sessions list/);
  });
});
