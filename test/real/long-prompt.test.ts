// A prompt longer than one command-line argument (300 KiB; Linux caps one argument at 128 KiB) reaches
// each real CLI whole: clinvk passes it on stdin (claude `-p … --`, codex `exec … -- -`, gemini without
// `--prompt`), and the model-API mock must see every byte of it in the request.
import { describe, expect } from 'vitest';
import { CLI_NAMES, clinvk, itNeeds, realSandbox } from './harness.ts';

const MOCK = { claude: 'anthropic', codex: 'responses', gemini: 'gemini' } as const;

/** 300 KiB of numbered lines, so a cut or a reordering would show; the marker last. */
function longPrompt(backend: string): string {
  const lines: string[] = [];
  for (let i = 0; lines.join('\n').length < 300 * 1024; i += 1) lines.push(`line ${i} of a long prompt for ${backend}: ${'x'.repeat(60)}`);
  return `${lines.join('\n')}\nECHO:${backend}long`;
}

describe('a 300 KiB prompt on the real CLIs', () => {
  const ctx = realSandbox();

  for (const backend of CLI_NAMES) {
    itNeeds(backend)(`${backend}: the prompt goes on stdin and reaches the model whole`, async () => {
      const prompt = longPrompt(backend);
      const mock = ctx.mocks[MOCK[backend]];
      const before = mock.requests.length;
      const dry = await clinvk(['-b', backend, '-o', 'json', '--dry-run', '-'], ctx.sb, { input: prompt });
      expect(dry.code, dry.stderr).toBe(0);
      expect(JSON.parse(dry.stdout).stdin_bytes).toBe(Buffer.byteLength(prompt));

      const r = await clinvk(['-b', backend, '-o', 'json', '-'], ctx.sb, { input: prompt });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).content).toBe(`Hello from mock ${MOCK[backend]}, turn 1. You said ${backend}long.`);
      const bodies = mock.requests.slice(before).map((r) => JSON.stringify(r.body));
      // The prompt's text, JSON-escaped as it sits in the request body (newlines become \n).
      const needle = JSON.stringify(prompt).slice(1, -1);
      expect(bodies.some((b) => b.includes(needle)), 'the whole prompt in one model request').toBe(true);
    });
  }
});
