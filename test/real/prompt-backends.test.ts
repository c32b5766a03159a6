// One prompt per backend through clinvk's CLI door on the real CLIs, a resumed turn, and the test of
// the test: with a flag clinvk passes renamed (as a new CLI release might), the same checks fail.
import { describe, expect } from 'vitest';
import { CLI_NAMES, clinvk, itNeeds, type Ran, realSandbox, renamedFlag } from './harness.ts';

const API = { claude: 'anthropic', codex: 'responses', gemini: 'gemini' } as const;

/** The check every prompt test makes: exit 0 and the mock's answer for that turn, as clinvk's JSON. */
export function expectAnswer(r: Ran, backend: keyof typeof API, turn: number, word: string): Record<string, unknown> {
  expect(r.code, r.stderr).toBe(0);
  const json = JSON.parse(r.stdout) as Record<string, unknown>;
  expect(json.content).toBe(`Hello from mock ${API[backend]}, turn ${turn}. You said ${word}.`);
  return json;
}

describe('clinvk prompt on the real CLIs', () => {
  const ctx = realSandbox();

  for (const backend of CLI_NAMES) {
    itNeeds(backend)(`${backend}: a prompt, then --continue resumes it natively`, async () => {
      const first = expectAnswer(await clinvk(['-b', backend, '-o', 'json', `Hi ECHO:${backend}1`], ctx.sb), backend, 1, `${backend}1`);
      const second = expectAnswer(await clinvk(['-b', backend, '-o', 'json', '--continue', `Again ECHO:${backend}2`], ctx.sb), backend, 2, `${backend}2`);
      expect(second.session_id).toBe(first.session_id);
    });
  }

  // The test of the test: each backend's output-format flag renamed, as if the CLI had renamed it.
  const RENAMED = { claude: ['--output-format', '--output-fmt'], codex: ['--json', '--jsonl'] } as const;
  for (const [backend, [from, to]] of Object.entries(RENAMED) as [keyof typeof RENAMED, readonly [string, string]][]) {
    itNeeds(backend)(`${backend} with ${from} renamed to ${to}: the run fails and the suite's check says so`, async () => {
      const r = await clinvk(['-b', backend, '-o', 'json', `Hi ECHO:${backend}x`], renamedFlag(ctx.sb, backend, from, to));
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(/unknown|unexpected|error/i);
      expect(() => expectAnswer(r, backend, 1, `${backend}x`)).toThrow();
    });
  }
});
