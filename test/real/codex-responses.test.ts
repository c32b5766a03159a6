// Codex as a client of clinvk's OpenAI Responses surface: a custom provider with
// wire_api = "responses" and base_url <clinvk>/openai/v1 (issue 22), the backend a real CLI on its mock.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { itNeeds, realSandbox, run, sandbox, skipUnless } from './harness.ts';

const KEY = 'clinvk-test-key';

/** The config.toml that points Codex at clinvk (the README shows the same). */
export const codexClientConfig = (baseUrl: string, model: string) =>
  [`model = "${model}"`, 'model_provider = "clinvk"', '[model_providers.clinvk]', 'name = "clinvk"', `base_url = "${baseUrl}/openai/v1"`, 'env_key = "CLINVK_API_KEY"', 'wire_api = "responses"', ''].join('\n');

describe.skipIf(skipUnless('codex'))('Codex on /openai/v1/responses', () => {
  const ctx = realSandbox({ apiKey: KEY });

  /** Codex as the client: its own CODEX_HOME (the codex backend uses the sandbox's) and folder. */
  function codex(name: string, model: string) {
    const home = join(ctx.sb.home, `codex-client-${name}`);
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'config.toml'), codexClientConfig(ctx.srv.url, model));
    const env = { ...ctx.sb.env, CODEX_HOME: home, CLINVK_API_KEY: KEY };
    return (args: string[]) => run('codex', ['exec', '--skip-git-repo-check', ...args], { env, cwd: home });
  }

  itNeeds('claude')('a turn, then `exec resume --last` resumes the backend session natively', async () => {
    const c = codex('resume', 'claude');
    const first = await c(['First ECHO:apple']);
    expect(first.stdout.trim()).toBe('Hello from mock anthropic, turn 1. You said apple.');
    expect(first.code).toBe(0);
    const before = ctx.mocks.anthropic.requests.length;
    const second = await c(['resume', '--last', 'Second ECHO:pear']);
    // Turn 2: the claude backend resumed its session and sent the history to its model.
    expect(second.stdout.trim()).toBe('Hello from mock anthropic, turn 2. You said pear.');
    expect(second.code).toBe(0);
    const resumed = ctx.mocks.anthropic.requests.slice(before).filter((q) => JSON.stringify(q.body.messages).includes('Second ECHO:pear'));
    expect(resumed.length).toBeGreaterThan(0);
    expect(JSON.stringify(resumed.at(-1)!.body.messages)).toContain('First ECHO:apple');
  });

  itNeeds('gemini')('a turn on another backend', async () => {
    const r = await codex('gemini', 'gemini')(['Hi ECHO:kiwi']);
    expect(r.stdout.trim()).toBe('Hello from mock gemini, turn 1. You said kiwi.');
    expect(r.code).toBe(0);
  });
});
