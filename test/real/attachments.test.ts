// Attachments on the real CLIs: the argv and stdin forms clinvk uses (codex --image=<file>, claude
// stream-json input with a base64 image block, gemini @path with --include-directories) are accepted,
// and the model request each CLI then sends to its loopback mock carries the image's bytes.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { CLI_NAMES, clinvk, itNeeds, realSandbox, serve } from './harness.ts';
import { PNG, PNG_B64 } from '../fixtures/attachments.ts';

const MOCK = { claude: 'anthropic', codex: 'responses', gemini: 'gemini' } as const;

describe('attachments on the real CLIs', () => {
  const ctx = realSandbox();

  for (const backend of CLI_NAMES) {
    itNeeds(backend)(`${backend}: --image and --file through the CLI; the model request carries the image`, async () => {
      writeFileSync(join(ctx.sb.workdir, 'pixel.png'), PNG);
      writeFileSync(join(ctx.sb.workdir, 'notes.txt'), 'NOTES-MARKER-42\n');
      const mock = ctx.mocks[MOCK[backend]];
      const before = mock.requests.length;
      const r = await clinvk(['-b', backend, '-o', 'json', '--ephemeral', '--image', 'pixel.png', '--file', 'notes.txt', `What is in the picture? ECHO:${backend}img`], ctx.sb);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).content).toMatch(new RegExp(`You said ${backend}img`));
      const sent = JSON.stringify(mock.requests.slice(before).map((q) => q.body));
      // Every API carries an image as base64 of its bytes (a data URL for the Responses API).
      expect(sent).toContain(PNG_B64.replace(/=+$/, ''));
      // The file goes as a path (claude, codex) or read into the request by gemini's @path.
      expect(sent).toMatch(backend === 'gemini' ? /NOTES-MARKER-42/ : /clinvk-attach-[^/"]+\/notes\.txt/);
      // Tests run side by side in one sandbox: the folders this run's requests named are gone.
      const named = [...new Set(sent.match(/clinvk-attach-[A-Za-z0-9]+/g) ?? [])];
      expect(named.length).toBeGreaterThan(0);
      expect(readdirSync(ctx.sb.home).filter((d) => named.includes(d)), 'the folder is removed').toEqual([]);
    });
  }

  itNeeds('codex')('codex exec resume takes --image too', async () => {
    writeFileSync(join(ctx.sb.workdir, 'pixel.png'), PNG);
    const first = await clinvk(['-b', 'codex', '-o', 'json', 'Hi ECHO:first'], ctx.sb);
    expect(first.code, first.stderr).toBe(0);
    const before = ctx.mocks.responses.requests.length;
    const again = await clinvk(['-b', 'codex', '-o', 'json', '--continue', '--image', 'pixel.png', 'And this? ECHO:second'], ctx.sb);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.stringify(ctx.mocks.responses.requests.slice(before).map((q) => q.body))).toContain(PNG_B64.replace(/=+$/, ''));
  });

  // A session (not ephemeral) on `clinvk serve` runs on live agents: claude's stream-json user line with
  // image blocks, codex app-server's localImage input items.
  for (const backend of ['claude', 'codex'] as const) {
    itNeeds(backend)(`${backend} on a live agent through the server: the image reaches the model request`, async () => {
      writeFileSync(join(ctx.sb.workdir, 'pixel.png'), PNG);
      const srv = await serve(ctx.sb);
      try {
        const mock = ctx.mocks[MOCK[backend]];
        const before = mock.requests.length;
        const res = await fetch(`${srv.url}/api/v1/prompt`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ backend, prompt: `Describe ECHO:warm${backend}`, attachments: [{ path: 'pixel.png' }] }),
        });
        const body = (await res.json()) as { output: string; exit_code: number };
        expect(body.exit_code, JSON.stringify(body)).toBe(0);
        const health = (await (await fetch(`${srv.url}/health`)).json()) as { warm?: { agents: { backend: string }[] } };
        expect(health.warm?.agents.map((a) => a.backend), 'the turn ran on a live agent').toContain(backend);
        expect(JSON.stringify(mock.requests.slice(before).map((q) => q.body))).toContain(PNG_B64.replace(/=+$/, ''));
      } finally {
        await srv.stop();
      }
    });
  }

  itNeeds('claude')('claude through the server (the Anthropic SDK shape), image reaches the model request', async () => {
    const srv = await serve(ctx.sb);
    try {
      const before = ctx.mocks.anthropic.requests.length;
      const res = await fetch(`${srv.url}/api/v1/prompt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ backend: 'claude', prompt: 'Describe ECHO:srv', ephemeral: true, attachments: [{ name: 'p.png', media_type: 'image/png', data: PNG_B64 }] }),
      });
      const body = (await res.json()) as { output: string; exit_code: number };
      expect(body.exit_code, JSON.stringify(body)).toBe(0);
      expect(JSON.stringify(ctx.mocks.anthropic.requests.slice(before).map((q) => q.body))).toContain(PNG_B64.replace(/=+$/, ''));
    } finally {
      await srv.stop();
    }
  });
});
