// The pure parts of attachments: byte checks, the vendor parts → Attachment table, what each door puts
// on the Invocation (handlers with Request objects and a fake Runtime), and each backend's argv form.
import { describe, expect, it } from 'vitest';
import { classify, decodeBase64, encodeBase64, parseDataUrl, safeName, sniffImage } from '../../runtime/attachments.ts';
import { partAttachment } from '../../handlers/compat/attachment-parts.ts';
import { BACKENDS as ADAPTERS } from '../../runtime/backends/registry.ts';
import type { ArgvRequest, StagedAttachment } from '../../runtime/backends/types.ts';
import { fakeRuntime, json, testApp, url } from './handlers/fake-runtime.ts';
import { dataUrl, JPEG, PDF, PNG, PNG_B64 } from '../fixtures/attachments.ts';

describe('byte checks', () => {
  it('recognises the four image types by their magic numbers, and nothing else', () => {
    expect(sniffImage(PNG)).toBe('image/png');
    expect(sniffImage(JPEG)).toBe('image/jpeg');
    expect(sniffImage(Buffer.from('GIF89a\x01\x00'))).toBe('image/gif');
    expect(sniffImage(Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 '))).toBe('image/webp');
    expect(sniffImage(Buffer.from('RIFF\x10\x00\x00\x00WAVEfmt '))).toBeUndefined();
    expect(sniffImage(PDF)).toBeUndefined();
    expect(sniffImage(new Uint8Array())).toBeUndefined();
  });

  it('base64 round trip (standard and URL-safe), refuses what is not base64', () => {
    expect(Buffer.from(decodeBase64(PNG_B64)!).equals(PNG)).toBe(true);
    expect(Buffer.from(decodeBase64(PNG.toString('base64url'))!).equals(PNG)).toBe(true);
    expect(encodeBase64(new Uint8Array(PNG))).toBe(PNG_B64);
    const big = new Uint8Array(200_000).map((_, i) => i % 251);
    expect(Buffer.from(decodeBase64(encodeBase64(big))!).equals(Buffer.from(big))).toBe(true);
    expect(decodeBase64('not base64!')).toBeUndefined();
  });

  it('data URLs', () => {
    expect(parseDataUrl(dataUrl('image/png', PNG))).toEqual({ mediaType: 'image/png', data: PNG_B64 });
    expect(parseDataUrl('data:image/png;name=x.png;base64,AAAA')).toEqual({ mediaType: 'image/png', data: 'AAAA' });
    expect(parseDataUrl('data:text/plain,hello')).toBeUndefined();
    expect(parseDataUrl('https://x/y.png')).toBeUndefined();
  });

  it('classify: jpg is jpeg, a sniffed path gets its type, a forced file stays a file, names are safe', () => {
    expect(classify({ mediaType: 'image/jpg', data: '' }, 0, JPEG)).toMatchObject({ kind: 'image', mediaType: 'image/jpeg', name: 'attachment-1.jpg' });
    expect(classify({ path: '/x/My Shot (1).PNG' }, 0, PNG)).toMatchObject({ kind: 'image', mediaType: 'image/png', name: 'My_Shot__1_.PNG' });
    expect(classify({ path: '/x/pic.png', kind: 'file' }, 0, PNG)).toMatchObject({ kind: 'file', mediaType: 'image/png' });
    expect(classify({ path: '/x/r.pdf' }, 0, PDF)).toMatchObject({ kind: 'file', mediaType: 'application/pdf' });
    expect(safeName({ name: '../../etc/passwd' }, 0, 'text/plain', 'file')).toBe('_.._etc_passwd');
    expect(safeName({ name: '.hidden' }, 0, 'image/png', 'image')).toBe('hidden.png');
  });
});

describe('vendor parts → Attachment', () => {
  it('reads each dialect', () => {
    const url = dataUrl('image/png', PNG);
    expect(partAttachment({ type: 'image_url', image_url: { url, detail: 'low' } })).toEqual({ mediaType: 'image/png', data: PNG_B64, kind: 'image' });
    expect(partAttachment({ type: 'input_image', image_url: url })).toEqual({ mediaType: 'image/png', data: PNG_B64, kind: 'image' });
    expect(partAttachment({ type: 'image_url', image_url: { url: 'https://h/cat.png' } })).toEqual({ url: 'https://h/cat.png', kind: 'image' });
    expect(partAttachment({ type: 'file', file: { filename: 'r.pdf', file_data: dataUrl('application/pdf', PDF) } })).toMatchObject({ name: 'r.pdf', mediaType: 'application/pdf', kind: 'file' });
    expect(partAttachment({ type: 'input_file', filename: 'r.pdf', file_data: PDF.toString('base64') })).toMatchObject({ name: 'r.pdf', mediaType: 'application/pdf', kind: 'file' });
    expect(partAttachment({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_B64 } })).toEqual({ mediaType: 'image/png', data: PNG_B64, kind: 'image' });
    expect(partAttachment({ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'hello' } })).toEqual({ name: 'document.txt', mediaType: 'text/plain', data: 'aGVsbG8=', kind: 'file' });
    expect(partAttachment({ type: 'text', text: 'x' })).toBeUndefined();
  });

  it('refuses what it cannot turn into bytes, never drops it', () => {
    expect(() => partAttachment({ type: 'file', file: { file_id: 'file-abc' } })).toThrow(/file ids cannot be resolved/);
    expect(() => partAttachment({ type: 'input_audio', input_audio: { data: 'AA', format: 'wav' } })).toThrow(/audio input is not supported/);
    expect(() => partAttachment({ type: 'image', source: { type: 'file', file_id: 'f' } })).toThrow(/source of type "file"/);
    expect(() => partAttachment({ type: 'image_url', image_url: { url: 'ftp://x/y.png' } })).toThrow(/data URL or an http\(s\) URL/);
  });
});

describe('what each door puts on the Invocation', () => {
  const img = { type: 'image_url', image_url: { url: dataUrl('image/png', PNG) } };

  it('OpenAI chat: the image and a placeholder in the text; a resumed chat sends only the new turn\'s', async () => {
    const rt = fakeRuntime(() => ({ chunks: ['ok'] }));
    const app = testApp(rt);
    const first = [{ role: 'user', content: [{ type: 'text', text: 'look' }, img] }];
    const r1 = await app.fetch(new Request(url('/openai/v1/chat/completions'), json({ model: 'codex', messages: first })));
    expect(r1.status).toBe(200);
    expect(rt.calls[0]!.inv).toMatchObject({ prompt: 'look\n[image attached]', attachments: [{ mediaType: 'image/png', data: PNG_B64, kind: 'image' }] });
    const next = [...first, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'and now?' }];
    await app.fetch(new Request(url('/openai/v1/chat/completions'), json({ model: 'codex', messages: next })));
    expect(rt.calls[1]!.inv.sessionId).toBe('sess1');
    expect(rt.calls[1]!.inv.attachments).toBeUndefined();
  });

  it('Anthropic: a refused block is a 400 invalid_request_error, and no run starts', async () => {
    const rt = fakeRuntime();
    const res = await testApp(rt).fetch(
      new Request(url('/anthropic/v1/messages'), json({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }] })),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringMatching(/source of type "file"/) } });
    expect(rt.calls).toHaveLength(0);
  });

  it('REST: attachments map field by field', async () => {
    const rt = fakeRuntime();
    await testApp(rt).fetch(new Request(url('/api/v1/prompt'), json({ backend: 'codex', prompt: 'p', attachments: [{ name: 'a.png', media_type: 'image/png', data: PNG_B64 }, { path: 'docs/r.pdf', kind: 'file' }] })));
    expect(rt.calls[0]!.inv.attachments).toEqual([{ name: 'a.png', mediaType: 'image/png', data: PNG_B64 }, { path: 'docs/r.pdf', kind: 'file' }]);
  });
});

describe('each backend\'s argv form', () => {
  const files: StagedAttachment[] = [
    { path: '/t/clinvk-attach-x/a.png', name: 'a.png', mediaType: 'image/png', kind: 'image', base64: PNG_B64 },
    { path: '/t/clinvk-attach-x/r.pdf', name: 'r.pdf', mediaType: 'application/pdf', kind: 'file' },
  ];
  const req = (over: Partial<ArgvRequest> = {}): ArgvRequest => ({ prompt: '-look', workdir: '/w', approvalMode: 'default', sandboxMode: 'default', extra: [], ephemeral: false, attachments: files, attachmentDir: '/t/clinvk-attach-x', ...over });

  it('codex: --image=<file> before `--`, the PDF path in the prompt; exec resume the same', () => {
    for (const r of [req(), req({ resumeId: 'thread-1' })]) {
      const { args } = ADAPTERS.codex!.buildArgs(r);
      const dash = args.indexOf('--');
      expect(args[dash - 1]).toBe('--image=/t/clinvk-attach-x/a.png');
      expect(args.at(-1)).toBe('-look\n\nAttached files (read them from these paths):\n- /t/clinvk-attach-x/r.pdf (application/pdf)');
    }
  });

  it('claude: stream-json input on stdin with an image block, --add-dir for the file, no prompt argument', () => {
    const built = ADAPTERS.claude!.buildArgs(req({ allowedTools: ['Read'] }));
    expect(built.args).toEqual(expect.arrayContaining(['-p', '--input-format', 'stream-json', '--output-format', 'stream-json']));
    expect(built.args.slice(-2)).toEqual(['--add-dir', '/t/clinvk-attach-x']);
    expect(built.args).not.toContain('-look');
    const line = JSON.parse(built.stdin!);
    expect(line.message.content).toEqual([
      { type: 'text', text: expect.stringMatching(/^-look\n\nAttached files.*r\.pdf/s) },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_B64 } },
    ]);
  });

  it('gemini: @refs for both after the prompt and the folder in its workspace, on stdin too', () => {
    const { args } = ADAPTERS.gemini!.buildArgs(req());
    expect(args).toContain('--include-directories=/t/clinvk-attach-x');
    expect(args.at(-1)).toBe('--prompt=-look\n\n@/t/clinvk-attach-x/a.png @/t/clinvk-attach-x/r.pdf');
    expect(ADAPTERS.gemini!.buildArgs(req({ promptOnStdin: true })).stdin).toBe('-look\n\n@/t/clinvk-attach-x/a.png @/t/clinvk-attach-x/r.pdf');
  });
});
