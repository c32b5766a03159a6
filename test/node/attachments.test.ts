// Attachments through the engine to the fake CLIs: each backend gets them in its native form (codex
// --image files, claude stream-json image blocks, gemini @path refs), the bytes equal the upload, the
// private folder is gone after the run however it ended, and bad attachments are refused before anything starts.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../runtime/config.ts';
import type { Attachment, RunEvent, RunResult } from '../../runtime/contract.ts';
import { createNodeRuntime } from '../../runtime/node/index.ts';
import { JPEG, PDF, PNG, PNG_B64, sha256, type FakeAttachmentLine } from '../fixtures/attachments.ts';
import { readFakeLog } from '../fixtures/fake-log.ts';

const FAKES = resolve('test/fixtures/fake-clis');

async function runtime(env: Record<string, string> = {}, server: Partial<ReturnType<typeof defaultConfig>['server']> = {}) {
  const home = mkdtempSync(join(tmpdir(), 'clinvk-att-'));
  const tmp = join(home, 'tmp');
  const log = join(home, 'fake.log');
  const config = defaultConfig();
  Object.assign(config.server, server);
  // The runtime's TMPDIR decides where run folders go: the test's own, so it can see them come and go.
  const fullEnv = { PATH: `${FAKES}:${process.env.PATH}`, HOME: home, CLINVK_HOME: join(home, '.clinvk'), FAKE_LOG: log, FAKE_CHUNK_DELAY_MS: '0', TMPDIR: tmp, ...env };
  mkdirSync(tmp);
  const rt = await createNodeRuntime({ env: fullEnv, cwd: home, config, logLevel: 'silent' });
  const lines = () => readFakeLog<{ phase: string; argv: string[] }>(log);
  const seen = () => lines().filter((l): l is FakeAttachmentLine & { argv: string[] } => l.phase === 'attachments');
  return { rt, home, tmp, lines, seen };
}

async function result(events: AsyncIterable<RunEvent>): Promise<RunResult> {
  for await (const e of events) if (e.type === 'done') return e.result;
  throw new Error('no done event');
}

const image: Attachment = { name: 'shot.png', mediaType: 'image/png', data: PNG_B64 };

describe('an image reaches each backend in its native form, bytes intact', () => {
  it('codex: --image=<file> in the private folder', async () => {
    const { rt, home, lines, seen } = await runtime();
    const r = await result(rt.run({ backend: 'codex', prompt: 'describe', workdir: home, ephemeral: true, attachments: [image] }));
    expect(r.error).toBeUndefined();
    const [got] = seen();
    expect(got!.attachments).toEqual([expect.objectContaining({ from: 'image', bytes: PNG.length, sha256: sha256(PNG) })]);
    const path = got!.attachments[0]!.path!;
    expect(path).toMatch(/clinvk-attach-[^/]+\/shot\.png$/);
    const argv = lines().find((l) => l.phase === 'start')!.argv;
    expect(argv.slice(argv.indexOf('--') - 1, argv.indexOf('--'))).toEqual([`--image=${path}`]);
    expect(r.output).toContain(`sha256=${sha256(PNG)}`);
    expect(existsSync(path), 'the folder is removed after the run').toBe(false);
  });

  it('claude: an image block of a stream-json user message on stdin', async () => {
    const { rt, home, lines, seen } = await runtime();
    const r = await result(rt.run({ backend: 'claude', prompt: 'describe', workdir: home, ephemeral: true, attachments: [image] }));
    expect(r.error).toBeUndefined();
    expect(seen()[0]!.attachments).toEqual([{ from: 'image', media_type: 'image/png', bytes: PNG.length, sha256: sha256(PNG) }]);
    const argv = lines().find((l) => l.phase === 'start')!.argv;
    expect(argv).toEqual(expect.arrayContaining(['--input-format', 'stream-json']));
    expect(argv).not.toContain('describe'); // the prompt is in the message, not an argument
    expect(r.output).toContain('Hello from fake claude (turn 1): describe');
  });

  it('gemini: an @path reference with --include-directories=<folder>', async () => {
    const { rt, home, lines, seen } = await runtime();
    const r = await result(rt.run({ backend: 'gemini', prompt: 'describe', workdir: home, ephemeral: true, attachments: [image] }));
    expect(r.error).toBeUndefined();
    const [a] = seen()[0]!.attachments;
    expect(a).toEqual(expect.objectContaining({ from: 'ref', bytes: PNG.length, sha256: sha256(PNG), inWorkspace: true }));
    const argv = lines().find((l) => l.phase === 'start')!.argv;
    const dir = a!.path!.slice(0, a!.path!.lastIndexOf('/'));
    expect(argv).toContain(`--include-directories=${dir}`);
    expect(argv.at(-1)).toBe(`--prompt=describe\n\n@${a!.path}`);
    expect(existsSync(dir)).toBe(false);
  });

  it.each(['claude', 'codex', 'gemini'])('%s: a PDF goes as a path it can read, several images all arrive', async (backend) => {
    const { rt, home, seen, lines } = await runtime();
    const attachments: Attachment[] = [image, { name: 'photo.jpg', mediaType: 'image/jpeg', data: JPEG.toString('base64') }, { name: 'report.pdf', mediaType: 'application/pdf', data: PDF.toString('base64') }];
    const r = await result(rt.run({ backend, prompt: 'look', workdir: home, ephemeral: true, attachments }));
    expect(r.error).toBeUndefined();
    const shas = seen()[0]!.attachments.map((a) => a.sha256);
    expect(shas).toEqual(expect.arrayContaining([sha256(PNG), sha256(JPEG)]));
    // The PDF's path is in the prompt the fake echoes (gemini also reads it through its @ref).
    expect(r.output).toMatch(/clinvk-attach-[^/\s]+\/report\.pdf/);
    const argv = lines().find((l) => l.phase === 'start')!.argv;
    if (backend === 'claude') expect(argv).toContain('--add-dir');
    if (backend === 'gemini') expect(shas).toContain(sha256(PDF));
  });

  it('a path attachment (the CLI form) is copied into the folder; --image that is not an image is refused', async () => {
    const { rt, home, seen } = await runtime();
    writeFileSync(join(home, 'pic.png'), PNG);
    writeFileSync(join(home, 'notes.txt'), 'hello');
    const r = await result(rt.run({ backend: 'codex', prompt: 'p', workdir: home, ephemeral: true, attachments: [{ path: 'pic.png', kind: 'image' }] }));
    expect(r.error).toBeUndefined();
    expect(seen()[0]!.attachments[0]!.sha256).toBe(sha256(PNG));
    await expect(result(rt.run({ backend: 'codex', prompt: 'p', workdir: home, attachments: [{ path: join(home, 'notes.txt'), kind: 'image' }] }))).rejects.toThrow(/attachment 1 \(.*\)? ?is not an image|is not an image/);
  });
});

describe('the private folder', () => {
  it('is 0700 while the run lives, and gone after a cancel', async () => {
    const { rt, home, tmp } = await runtime({ FAKE_HANG: '1' });
    const ac = new AbortController();
    const it = rt.run({ backend: 'claude', prompt: 'hang', workdir: home, ephemeral: true, attachments: [image] }, ac.signal)[Symbol.asyncIterator]();
    await it.next(); // init: the process runs
    const [dir] = readdirSync(tmp).filter((d) => d.startsWith('clinvk-attach-'));
    expect(dir).toBeDefined();
    expect(statSync(join(tmp, dir!)).mode & 0o777).toBe(0o700);
    expect(statSync(join(tmp, dir!, 'shot.png')).mode & 0o777).toBe(0o600);
    ac.abort();
    let r: RunResult | undefined;
    for (let n = await it.next(); !n.done; n = await it.next()) if (n.value.type === 'done') r = n.value.result;
    expect(r!.error?.code).toBe('CANCELLED');
    expect(readdirSync(tmp).filter((d) => d.startsWith('clinvk-attach-'))).toEqual([]);
  });

  it('is gone after a failed run, and after a consumer that stops reading', async () => {
    const { rt, home, tmp } = await runtime({ FAKE_FAIL: 'error' });
    const r = await result(rt.run({ backend: 'codex', prompt: 'x', workdir: home, ephemeral: true, attachments: [image] }));
    expect(r.error?.code).toBe('BACKEND_FAILED');
    expect(readdirSync(tmp)).toEqual([]);
    const it = rt.run({ backend: 'gemini', prompt: 'x', workdir: home, ephemeral: true, attachments: [image] })[Symbol.asyncIterator]();
    await it.next();
    await it.return!(undefined);
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('bad attachments are a clear INVALID_INPUT, and nothing starts', () => {
  const cases: [string, Attachment[], RegExp, Record<string, unknown>?][] = [
    ['not an image', [{ name: 'x.png', mediaType: 'image/png', data: Buffer.from('hello world').toString('base64') }], /attachment 1 \(x\.png\) is not an image/],
    ['a type that lies', [{ mediaType: 'image/jpeg', data: PNG_B64 }], /says it is image\/jpeg, but its bytes are image\/png/],
    ['an image type no backend takes', [{ mediaType: 'image/bmp', data: PNG_B64 }], /image\/bmp, an image type the backends cannot take/],
    ['oversized', [{ mediaType: 'image/png', data: PNG_B64 }], /too large: 70 bytes.*at most 10/, { max_attachment_bytes: 10 }],
    ['too many', [image, image, image], /too many attachments: 3.*at most 2/, { max_attachments: 2 }],
    ['a remote URL with fetching off', [{ url: 'https://example.com/cat.png' }], /remote URL.*fetch_remote_images is off/],
    ['not base64', [{ mediaType: 'image/png', data: 'this is not base64!' }], /data is not valid base64/],
    ['two sources', [{ mediaType: 'image/png', data: PNG_B64, path: '/tmp/x.png' }], /exactly one of data/],
    ['a PDF that is not', [{ name: 'r.pdf', mediaType: 'application/pdf', data: PNG_B64 }], /not a PDF/],
  ];
  it.each(cases)('%s', async (_name, attachments, message, server) => {
    const { rt, home, lines, tmp } = await runtime({}, server);
    await expect(result(rt.run({ backend: 'codex', prompt: 'x', workdir: home, attachments }))).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(message) });
    expect(lines()).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('a path outside the server workdir rules is refused', async () => {
    const home = mkdtempSync(join(tmpdir(), 'clinvk-att-'));
    const config = defaultConfig();
    config.server.allowed_workdir_prefixes = [home];
    const rt = await createNodeRuntime({ env: { PATH: `${FAKES}:${process.env.PATH}`, HOME: home, CLINVK_HOME: join(home, '.c') }, cwd: home, config, mode: 'server', logLevel: 'silent' });
    await expect(result(rt.run({ backend: 'codex', prompt: 'x', workdir: home, attachments: [{ path: '/etc/hostname' }] }))).rejects.toMatchObject({ code: 'WORKDIR_FORBIDDEN' });
  });

  it('a dry run shows the flags with a placeholder folder and writes nothing', async () => {
    const { rt, home, tmp } = await runtime();
    const r = await result(rt.run({ backend: 'codex', prompt: 'x', workdir: home, dryRun: true, attachments: [image] }));
    expect(r.command!.args).toContain('--image=$TMPDIR/clinvk-attach-XXXXXX/shot.png');
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('MCP clinvk_prompt attachments', () => {
  it('an image in base64 reaches claude as an image block; a bad one is a tool error naming it', async () => {
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
    const { InMemoryTransport } = await import('@modelcontextprotocol/sdk/inMemory.js');
    const { createMcpServer } = await import('../../mcp/server.ts');
    const { rt, home, seen } = await runtime();
    const server = createMcpServer(rt, { defaultBackend: 'claude' });
    const [ct, st] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'test', version: '0' });
    await Promise.all([server.connect(st), client.connect(ct)]);
    const ok = (await client.callTool({ name: 'clinvk_prompt', arguments: { prompt: 'see', workdir: home, ephemeral: true, attachments: [{ name: 'a.png', media_type: 'image/png', data: PNG_B64 }] } })) as { isError?: boolean; content: { text: string }[] };
    expect(ok.isError).toBeFalsy();
    expect(ok.content[0]!.text).toContain(`sha256=${sha256(PNG)}`);
    expect(seen()[0]!.attachments[0]).toMatchObject({ from: 'image', sha256: sha256(PNG) });
    const bad = (await client.callTool({ name: 'clinvk_prompt', arguments: { prompt: 'see', workdir: home, attachments: [{ media_type: 'image/gif', data: PNG_B64 }] } })) as { isError?: boolean; content: { text: string }[] };
    expect(bad.isError).toBe(true);
    expect(bad.content[0]!.text).toMatch(/INVALID_INPUT: attachment 1 says it is image\/gif, but its bytes are image\/png/);
    await client.close();
  });
});

describe('remote images (server.fetch_remote_images on)', () => {
  async function imageServer(body: Buffer, opts: { type?: string; delayMs?: number } = {}) {
    const { createServer } = await import('node:http');
    const srv = createServer((_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': opts.type ?? 'image/png' });
        res.end(body);
      }, opts.delayMs ?? 0);
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    return { url: `http://127.0.0.1:${port}/pics/cat.png`, close: () => new Promise<void>((r) => srv.close(() => r())) };
  }

  it('fetches through the runtime and hands it over like an inline one', async () => {
    const img = await imageServer(PNG, { type: 'application/octet-stream' });
    try {
      const { rt, home, seen } = await runtime({}, { fetch_remote_images: true });
      const r = await result(rt.run({ backend: 'codex', prompt: 'p', workdir: home, ephemeral: true, attachments: [{ url: img.url }] }));
      expect(r.error).toBeUndefined();
      expect(seen()[0]!.attachments[0]).toMatchObject({ sha256: sha256(PNG), path: expect.stringMatching(/\/cat\.png$/) });
    } finally {
      await img.close();
    }
  });

  it('refuses one over the size cap, one that is not an image, and one that takes too long', async () => {
    const big = await imageServer(Buffer.concat([PNG, Buffer.alloc(4096)]));
    const page = await imageServer(Buffer.from('<html>not an image</html>'), { type: 'text/html' });
    const slow = await imageServer(PNG, { delayMs: 3000 });
    try {
      const { rt, home, lines } = await runtime({}, { fetch_remote_images: true, max_attachment_bytes: 1024, fetch_remote_timeout_secs: 0.5 });
      const attempt = (url: string) => result(rt.run({ backend: 'codex', prompt: 'p', workdir: home, attachments: [{ url }] }));
      await expect(attempt(big.url)).rejects.toThrow(/too large: over 1024 bytes/);
      await expect(attempt(page.url)).rejects.toThrow(/attachment 1 \(cat\.png\)? ?is not an image|is not an image/);
      await expect(attempt(slow.url)).rejects.toThrow(/took longer than 0\.5 s/);
      expect(lines()).toEqual([]);
    } finally {
      await Promise.all([big.close(), page.close(), slow.close()]);
    }
  });
});
