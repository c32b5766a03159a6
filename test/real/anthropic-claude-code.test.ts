// Claude Code as a client of clinvk's Anthropic surface: `ANTHROPIC_BASE_URL=<clinvk>/anthropic
// claude -p --model <backend>`, each backend the real CLI on its loopback mock (issue 22).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_NAMES, itNeeds, realSandbox, run, skipUnless } from './harness.ts';

const KEY = 'clinvk-test-key';
/** Which mock answers for each backend (the answers name it). */
const API = { claude: 'anthropic', codex: 'responses', gemini: 'gemini' } as const;

describe.skipIf(skipUnless('claude'))('Claude Code on /anthropic', () => {
  const ctx = realSandbox({ apiKey: KEY });

  /**
   * Claude Code as the client, in a folder of its own per test: `--continue` picks the newest Claude
   * Code session of its folder, the tests run at the same time, and the claude backend keeps its
   * sessions in the same HOME.
   */
  const claude = (folder: string, args: string[], env: Record<string, string> = {}) => {
    const cwd = join(ctx.sb.home, `client-${folder}`);
    mkdirSync(cwd, { recursive: true });
    return run('claude', ['-p', ...args], { env: { ...ctx.sb.env, ANTHROPIC_BASE_URL: `${ctx.srv.url}/anthropic`, ANTHROPIC_API_KEY: KEY, ...env }, cwd });
  };

  for (const backend of CLI_NAMES) {
    itNeeds(backend)(`answers through the ${backend} backend`, async () => {
      const r = await claude(backend, ['--model', backend, `Say hello ECHO:${backend}word`]);
      expect(r.stderr).not.toMatch(/API Error/);
      expect(r.stdout.trim()).toBe(`Hello from mock ${API[backend]}, turn 1. You said ${backend}word.`);
      expect(r.code).toBe(0);
    });
  }

  itNeeds('codex')('--continue: the second turn resumes the backend session natively', async () => {
    const first = await claude('continue', ['--model', 'codex', 'First ECHO:apple']);
    expect(first.stdout.trim()).toBe('Hello from mock responses, turn 1. You said apple.');
    const before = ctx.mocks.responses.requests.length;
    const second = await claude('continue', ['--continue', '--model', 'codex', 'Second ECHO:pear']);
    // Turn 2: codex resumed its own session and sent the whole history to its model, not a folded transcript.
    expect(second.stdout.trim()).toBe('Hello from mock responses, turn 2. You said pear.');
    expect(second.code).toBe(0);
    // The request of this turn (other tests share the mock and run at the same time): it carries turn 1.
    const resumed = ctx.mocks.responses.requests.slice(before).filter((q) => JSON.stringify(q.body.input).includes('Second ECHO:pear'));
    expect(resumed.length).toBeGreaterThan(0);
    expect(JSON.stringify(resumed.at(-1)!.body.input)).toContain('First ECHO:apple');
  });

  it.concurrent('a wrong key: clinvk answers 401 in Anthropic\'s format and Claude Code reports it', async () => {
    // Claude Code retries even a 401 (ten times, over minutes): one retry is enough to see it handled.
    const r = await claude('wrong-key', ['--model', 'claude', 'hello'], { ANTHROPIC_API_KEY: 'not-the-key', CLAUDE_CODE_MAX_RETRIES: '1' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/401|invalid api key|authentication/i);
  });
});
