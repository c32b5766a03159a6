// The doors issue 17 lists that other real-CLI files do not cover: each output format of the CLI, compare and
// chain, and the official OpenAI and Anthropic SDKs against `clinvk serve`, on every real backend.
import Anthropic from '@anthropic-ai/sdk';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { describe, expect } from 'vitest';
import { CLI_NAMES, clinvk, itNeeds, realClis, realSandbox } from './harness.ts';

const API = { claude: 'anthropic', codex: 'responses', gemini: 'gemini' } as const;
const answer = (backend: keyof typeof API, word: string, turn = 1) => `Hello from mock ${API[backend]}, turn ${turn}. You said ${word}.`;

describe('the CLI door on the real CLIs: output formats, compare, chain', () => {
  const ctx = realSandbox();

  for (const backend of CLI_NAMES) {
    itNeeds(backend)(`${backend}: -o text prints the answer alone; -o stream-json prints one JSON event per line, ending with done`, async () => {
      const text = await clinvk(['-b', backend, '--ephemeral', '-o', 'text', `Hi ECHO:${backend}text`], ctx.sb);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout.trim()).toBe(answer(backend, `${backend}text`));

      const stream = await clinvk(['-b', backend, '--ephemeral', '-o', 'stream-json', `Hi ECHO:${backend}stream`], ctx.sb);
      expect(stream.code, stream.stderr).toBe(0);
      const events = stream.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; content?: { text?: string } });
      expect(events[0]!.type).toBe('init');
      expect(events.at(-1)!.type).toBe('done');
      const streamed = events.filter((e) => e.type === 'message').map((e) => e.content?.text ?? '').join('');
      expect(streamed.trim()).toBe(answer(backend, `${backend}stream`));
    });
  }

  const present = CLI_NAMES.filter((n) => realClis()[n]);
  itNeeds(...CLI_NAMES)('compare: one prompt on every backend, each answered by its own model API', async () => {
    const r = await clinvk(['compare', '--backends', present.join(','), '--json', 'Same ECHO:cmp'], ctx.sb);
    expect(r.code, r.stderr).toBe(0);
    for (const backend of present) expect(r.stdout).toContain(answer(backend, 'cmp'));
  });

  itNeeds('claude', 'gemini')('chain: the second step (gemini) is given the first step\'s answer (claude)', async () => {
    const file = join(ctx.sb.workdir, 'steps.json');
    writeFileSync(file, JSON.stringify([{ backend: 'claude', prompt: 'First ECHO:one' }, { backend: 'gemini', prompt: 'Earlier: {{previous}} Now ECHO:two' }]));
    const before = ctx.mocks.gemini.requests.length;
    const r = await clinvk(['chain', '-f', file, '--json'], ctx.sb);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(answer('claude', 'one'));
    expect(r.stdout).toContain(answer('gemini', 'two'));
    expect(JSON.stringify(ctx.mocks.gemini.requests.slice(before))).toContain(answer('claude', 'one'));
  });
});

describe('the official SDKs against clinvk serve on the real CLIs', () => {
  const ctx = realSandbox({ apiKey: 'sdk-key' });

  for (const backend of CLI_NAMES) {
    itNeeds(backend)(`${backend}: openai chat.completions and @anthropic-ai/sdk messages get the model's answer`, async () => {
      const openai = new OpenAI({ apiKey: 'sdk-key', baseURL: `${ctx.srv.url}/openai/v1`, maxRetries: 0 });
      const chat = await openai.chat.completions.create({ model: backend, messages: [{ role: 'user', content: `Hi ECHO:${backend}oa` }] });
      expect(chat.choices[0]!.message.content).toBe(answer(backend, `${backend}oa`));
      expect(chat.choices[0]!.finish_reason).toBe('stop');

      const anthropic = new Anthropic({ apiKey: 'sdk-key', baseURL: `${ctx.srv.url}/anthropic`, maxRetries: 0 });
      const msg = await anthropic.messages.create({ model: backend, max_tokens: 256, messages: [{ role: 'user', content: `Hi ECHO:${backend}an` }] });
      expect(msg.content[0]).toMatchObject({ type: 'text', text: answer(backend, `${backend}an`) });
      expect(msg.stop_reason).toBe('end_turn');
    });
  }
});
