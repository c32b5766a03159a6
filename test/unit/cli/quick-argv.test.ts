// The quick path (cli/quick-argv.ts) reads common argv without clipanion. It must never read an argv
// differently from clipanion: whatever it accepts, clipanion (with the commands cli/app.ts registers
// for that argv) must parse to the same command and the same values; the rest it leaves alone.
import { describe, expect, it } from 'vitest';
import { commandsFor, createCli } from '../../../cli/app.ts';
import { quickArgv, type Quick } from '../../../cli/quick-argv.ts';

const PROMPT_FIELDS = ['config', 'backend', 'model', 'workdir', 'output', 'approval', 'sandbox', 'systemPrompt', 'maxTurns', 'timeout', 'idleTimeout', 'extra', 'images', 'files', 'dryRun', 'ephemeral', 'verbose', 'continue'] as const;
const LIST_FIELDS = ['backend', 'status', 'limit', 'json'] as const;

/** What clipanion makes of argv, in the quick path's terms (or why it refused). */
async function viaClipanion(argv: string[]): Promise<Quick | { error: string } | { other: string }> {
  const cli = createCli(false, await commandsFor(argv));
  let cmd: Record<string, unknown> & { constructor: { paths?: string[][] } };
  try {
    cmd = cli.process(argv) as never;
  } catch (err) {
    return { error: (err as Error).message };
  }
  const path = cmd.constructor.paths?.[0]?.join(' ') ?? '';
  if (path === '' && Array.isArray(cmd.words)) {
    const flags = Object.fromEntries(PROMPT_FIELDS.map((f) => [f, cmd[f]]).filter(([, v]) => v !== undefined));
    return { command: 'prompt', flags: flags as never, words: cmd.words as string[] };
  }
  if (path === 'sessions list') {
    const flags = Object.fromEntries(LIST_FIELDS.map((f) => [f, cmd[f]]).filter(([, v]) => v !== undefined));
    return { command: 'sessions list', flags: flags as never };
  }
  return { other: path };
}

/** A seeded generator (mulberry32), so a failure names an argv that fails again. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  'hi', 'fix the tests', '', ' ', '-', '--', '-b', '--backend', 'claude', 'codex', '-m', '--model', 'best', '-w', '/tmp', '-o',
  '--output-format', 'json', 'text', 'stream-json', 'yaml', '--approval', 'auto', 'yolo', '--sandbox', 'read-only', '--system-prompt',
  '--dry-run', '--ephemeral', '--verbose', '-c', '--continue', '--config', 'c.yaml', '-h', '--help', 'help', '-v', '--version',
  'sessions', 'list', 'ls', 'show', 'resume', '--json', '-n', '--limit', '--status', 'error', 'done', '-bc', '-ce', '--nope',
  'constructor', '-1', '--help me',
  // numbers: what typanion accepts (JSON that prints back the same) and what it refuses
  '-t', '--timeout', '--idle-timeout', '--max-turns', '0', '3', '07', '5.5', '5.0', '1e3', '86400', '86401', '-5', '2.50',
  // --flag=value forms and lists
  '--extra', '/src', '--extra=--add-dir', '--extra=', '--model=x', '--backend=codex', '--backend=', '--timeout=7', '--timeout=x',
  '--image', '--image=a.png', '--file', 'r.pdf', '--file=',
  '--ephemeral=true', '--no-ephemeral', '-b=codex', '--status=error', '--limit=3', '--json=1',
];

describe('quickArgv', () => {
  it('reads the common forms itself', () => {
    expect(quickArgv(['-b', 'claude', 'hi'])).toEqual({ command: 'prompt', words: ['hi'], flags: { dryRun: false, ephemeral: false, verbose: false, continue: false, backend: 'claude' } });
    expect(quickArgv(['explain', 'this', 'repo'])).toMatchObject({ command: 'prompt', words: ['explain', 'this', 'repo'] });
    expect(quickArgv(['-c', '-o', 'stream-json', 'again'])).toMatchObject({ words: ['again'], flags: { continue: true, output: 'stream-json' } });
    expect(quickArgv(['--', '--help me'])).toMatchObject({ command: 'prompt', words: ['--help me'] });
    // The prompt from stdin: `-`, or no words at all (main.ts reads it, as promptFrom does for clipanion).
    expect(quickArgv(['-b', 'codex', '-'])).toMatchObject({ command: 'prompt', words: ['-'], flags: { backend: 'codex' } });
    expect(quickArgv(['-b', 'codex'])).toMatchObject({ command: 'prompt', words: [] });
    expect(quickArgv(['sessions', 'list'])).toEqual({ command: 'sessions list', flags: { limit: 20, json: false } });
    expect(quickArgv(['sessions', 'ls', '--json', '-n', '5', '--status', 'error'])).toEqual({ command: 'sessions list', flags: { limit: 5, json: true, status: 'error' } });
    expect(quickArgv(['-t', '90', '--max-turns', '3', '--extra=--add-dir', '--extra', '/src', 'go', '--backend=codex'])).toMatchObject({
      words: ['go'],
      flags: { timeout: 90, maxTurns: 3, extra: ['--add-dir', '/src'], backend: 'codex' },
    });
  });

  it('leaves everything else to clipanion', () => {
    const left = [
      [], ['-h'], ['--help'], ['help'], ['sessions'], ['sessions', 'show', 'ab'], ['resume', '--last', 'go'], ['version'],
      ['--extra', '--add-dir', 'hi'], ['-b', 'claude', '-b', 'codex', 'hi'], ['-o', 'yaml', 'hi'], ['-b'], ['-b', '-c', 'hi'], ['-bc', 'hi'],
      ['sessions', 'list', 'extra'], ['sessions', 'list', '-n', '0'], ['sessions', 'list', '-n', '07'], ['sessions', 'list', '--status', 'done'],
      ['help', 'me'], ['-t', '1e3', 'hi'], ['-t', '86401', 'hi'], ['--max-turns', '2.5', 'hi'], ['--no-ephemeral', 'hi'], ['--ephemeral=true', 'hi'],
      ['-b=codex', 'hi'], ['--', '--version', 'x'], ['--', 'hi', '-h'],
    ];    for (const argv of left) expect(quickArgv(argv), JSON.stringify(argv)).toBeUndefined();
  });

  it('reads every argv it accepts exactly as clipanion does (seeded random argv)', async () => {
    const seed = Number(process.env.CLINVK_FUZZ_SEED ?? 20261130);
    const next = rng(seed);
    let accepted = 0;
    for (let n = 0; n < 3000; n++) {
      const argv = Array.from({ length: Math.floor(next() * 7) }, () => TOKENS[Math.floor(next() * TOKENS.length)]!);
      // Half the cases start like the quick path's forms, so many of them are accepted.
      if (n % 2 === 0) argv.unshift(...(next() < 0.3 ? ['sessions', 'list'] : ['-b', 'claude']));
      const quick = quickArgv(argv);
      if (!quick) continue;
      accepted++;
      const seen = await viaClipanion(argv);
      const { flags, ...rest } = quick;
      const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
      expect(seen, `seed ${seed}, argv ${JSON.stringify(argv)}`).toEqual({ ...rest, flags: defined });
    }
    expect(accepted).toBeGreaterThan(400);
  });
});
