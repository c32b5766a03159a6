// Images and files through every door of a live server (and the built CLI) to the fake CLIs: the
// official openai and @anthropic-ai/sdk clients, REST, MCP. Each fake logs what it was handed with the
// sha256 of the bytes and names it in its answer, so the tests check the bytes equal the upload.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRunner, type Runner } from '../workerd/runner.ts';
import { clinvk, ensureBuilt, fakeLog, sandbox } from './cli-helpers.ts';
import { dataUrl, PDF, PNG, PNG_B64, sha256, type FakeAttachmentLine } from '../fixtures/attachments.ts';

let server: Runner;
let log: string;

beforeAll(async () => {
  ensureBuilt();
  log = join(mkdtempSync(join(tmpdir(), 'att-log-')), 'fake.log');
  server = await startRunner({ apiKeys: ['sk-test'], env: { FAKE_LOG: log } });
}, 60_000);
afterAll(async () => {
  await server?.close();
});

const openai = () => new OpenAI({ apiKey: 'sk-test', baseURL: `${server.url}/openai/v1`, maxRetries: 0 });
const anthropic = () => new Anthropic({ apiKey: 'sk-test', baseURL: `${server.url}/anthropic`, maxRetries: 0 });
const seen = (cli: string) => fakeLog(log).filter((l) => l.phase === 'attachments' && l.cli === cli) as unknown as FakeAttachmentLine[];
const folders = () => readdirSync(server.home).filter((d) => d.startsWith('clinvk-attach-'));
const PNG_SHA = sha256(PNG);

/** The folder is removed right after the run's `done`; the HTTP answer can leave a moment before. */
async function noFoldersLeft(): Promise<void> {
  for (let i = 0; i < 50 && folders().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
  expect(folders()).toEqual([]);
}

describe('openai SDK: an image_url data URL', () => {
  it.each(['codex', 'claude', 'gemini'])('reaches %s natively, bytes equal the upload', async (model) => {
    const before = seen(model).length;
    const r = await openai().chat.completions.create({
      model,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this picture?' }, { type: 'image_url', image_url: { url: dataUrl('image/png', PNG) } }] }],
    });
    expect(r.choices[0]!.message.content).toContain(`sha256=${PNG_SHA}`);
    const got = seen(model).slice(before);
    expect(got).toHaveLength(1);
    expect(got[0]!.attachments).toEqual([expect.objectContaining({ bytes: PNG.length, sha256: PNG_SHA })]);
    const form = { codex: 'image', claude: 'image', gemini: 'ref' }[model];
    expect(got[0]!.attachments[0]!.from).toBe(form);
    if (model === 'codex') expect(got[0]!.attachments[0]!.path).toMatch(/\/clinvk-attach-[^/]+\/attachment-1\.png$/);
    await noFoldersLeft();
  });

  it('a file part (PDF) reaches codex as a path in the prompt; streaming works the same', async () => {
    const stream = await openai().chat.completions.create({
      model: 'codex',
      stream: true,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'summarize' }, { type: 'file', file: { filename: 'report.pdf', file_data: dataUrl('application/pdf', PDF) } }] }],
    });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    expect(text).toMatch(/Attached files \(read them from these paths\):\n- \/.*\/clinvk-attach-[^/]+\/report\.pdf \(application\/pdf\)/);
    await noFoldersLeft();
  });

  it('refuses, as a BadRequestError naming the problem, an image that is not one and a remote URL', async () => {
    const ask = (url: string) => openai().chat.completions.create({ model: 'codex', messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'image_url', image_url: { url } }] }] });
    const starts = fakeLog(log).filter((l) => l.phase === 'start').length;
    const notImage = await ask(dataUrl('image/png', Buffer.from('not a png at all'))).catch((e: unknown) => e);
    expect(notImage).toBeInstanceOf(OpenAI.BadRequestError);
    expect((notImage as Error).message).toMatch(/attachment 1 is not an image: its bytes are not image\/png/);
    const remote = await ask('https://example.com/cat.png').catch((e: unknown) => e);
    expect(remote).toBeInstanceOf(OpenAI.BadRequestError);
    expect((remote as Error).message).toMatch(/remote URL.*fetch_remote_images is off/);
    const audio = await openai().chat.completions.create({ model: 'codex', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }] }).catch((e: unknown) => e);
    expect(audio).toBeInstanceOf(OpenAI.BadRequestError);
    expect(fakeLog(log).filter((l) => l.phase === 'start').length, 'nothing started').toBe(starts);
  });

  it('Responses: input_image reaches gemini as an @path', async () => {
    const before = seen('gemini').length;
    const r = await openai().responses.create({ model: 'gemini', input: [{ role: 'user', content: [{ type: 'input_text', text: 'look' }, { type: 'input_image', image_url: dataUrl('image/png', PNG), detail: 'auto' }] }] });
    expect(r.output_text).toContain(`sha256=${PNG_SHA}`);
    expect(seen('gemini').slice(before)[0]!.attachments[0]).toMatchObject({ from: 'ref', sha256: PNG_SHA, inWorkspace: true });
  });

  it('a client that disconnects mid-run leaves no folder behind', async () => {
    const ac = new AbortController();
    const stream = await openai().chat.completions.create(
      { model: 'claude', stream: true, messages: [{ role: 'user', content: [{ type: 'text', text: 'wait [fake:hang]' }, { type: 'image_url', image_url: { url: dataUrl('image/png', PNG) } }] }] },
      { signal: ac.signal },
    );
    const it = stream[Symbol.asyncIterator]();
    await it.next(); // the run started (its first chunk)
    expect(folders()).toHaveLength(1);
    ac.abort();
    await it.next().catch(() => undefined);
    await noFoldersLeft();
  });
});

describe('@anthropic-ai/sdk: image and document blocks', () => {
  it('a base64 image block reaches claude as an image block; a document as a readable path', async () => {
    const before = seen('claude').length;
    const r = await anthropic().messages.create({
      model: 'claude',
      max_tokens: 100,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_B64 } },
            { type: 'document', title: 'report.pdf', source: { type: 'base64', media_type: 'application/pdf', data: PDF.toString('base64') } },
            { type: 'text', text: 'Describe both' },
          ],
        },
      ],
    });
    const text = r.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    expect(text).toContain(`sha256=${PNG_SHA}`);
    expect(text).toMatch(/clinvk-attach-[^/]+\/report\.pdf/);
    expect(seen('claude').slice(before)[0]!.attachments).toEqual([{ from: 'image', media_type: 'image/png', bytes: PNG.length, sha256: PNG_SHA }]);
    const argv = fakeLog(log).filter((l) => l.phase === 'start' && l.cli === 'claude').at(-1)!.argv;
    expect(argv).toContain('--add-dir');
    await noFoldersLeft();
  });

  it('a block whose type lies is an invalid_request_error naming it', async () => {
    const err = await anthropic()
      .messages.create({ model: 'codex', max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: PNG_B64 } }] }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as Error).message).toMatch(/says it is image\/jpeg, but its bytes are image\/png/);
  });
});

describe('REST and the CLI', () => {
  const post = (body: object) => fetch(`${server.url}/api/v1/prompt`, { method: 'POST', headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('REST attachments {name, media_type, data} reach codex as --image', async () => {
    const res = await post({ backend: 'codex', prompt: 'see', ephemeral: true, attachments: [{ name: 'shot.png', media_type: 'image/png', data: PNG_B64 }] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { output: string };
    expect(body.output).toContain(`sha256=${PNG_SHA}`);
    await noFoldersLeft();
  });

  it('REST: too many, or a path outside the workdir rules, is a 400 problem', async () => {
    const many = await post({ backend: 'codex', prompt: 'x', attachments: Array.from({ length: 11 }, () => ({ media_type: 'image/png', data: PNG_B64 })) });
    expect(many.status).toBe(400);
    expect(((await many.json()) as { detail: string }).detail).toMatch(/too many attachments: 11.*at most 10/);
    const outside = await post({ backend: 'codex', prompt: 'x', attachments: [{ path: '/etc/hostname' }] });
    expect(outside.status).toBe(400);
    expect(await outside.json()).toMatchObject({ code: 'WORKDIR_FORBIDDEN', detail: expect.stringMatching(/^attachment path refused: \/etc\/hostname is inside the blocked prefix \/etc/) });
  });

  it('CLI --image and --file (repeatable) reach gemini as @paths, bytes intact', async () => {
    const sb = sandbox({ FAKE_LOG: join(mkdtempSync(join(tmpdir(), 'att-cli-')), 'fake.log') });
    writeFileSync(join(sb.home, 'a.png'), PNG);
    writeFileSync(join(sb.home, 'r.pdf'), PDF);
    const r = await clinvk(['-b', 'gemini', '--ephemeral', '-o', 'json', '--image', 'a.png', '--file', 'r.pdf', 'look'], { env: sb.env, cwd: sb.home });
    expect(r.code).toBe(0);
    const lines = fakeLog(sb.env.FAKE_LOG!).filter((l) => l.phase === 'attachments') as unknown as FakeAttachmentLine[];
    expect(lines[0]!.attachments.map((a) => a.sha256)).toEqual([PNG_SHA, sha256(PDF)]);
    expect(readdirSync(sb.home).filter((d) => d.startsWith('clinvk-attach-'))).toEqual([]);
    const bad = await clinvk(['-b', 'codex', '--image', 'r.pdf', 'look'], { env: sb.env, cwd: sb.home });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/is not an image/);
    expect(existsSync(join(sb.home, 'r.pdf'))).toBe(true);
  });
});
