// The OS side of attachments (runtime/attachments-stage.ts): read a local file, fetch a remote image,
// write a run's files into a private folder (0700 folder, 0600 files) and remove it.
import { chmod, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClinvkError } from '../contract.ts';
import type { AttachmentIO } from '../attachments-stage.ts';

const bad = (message: string, detail?: string) =>
  new ClinvkError('INVALID_INPUT', message, { details: { param: 'attachments' }, ...(detail ? { detail } : {}) });

export interface AttachmentIOOptions {
  /** Parent of the per-run folders (default: the OS temp folder, $TMPDIR). */
  dir?: string;
  fetch?: typeof fetch;
}

export function createAttachmentIO(opts: AttachmentIOOptions = {}): AttachmentIO {
  const doFetch = opts.fetch ?? fetch;
  return {
    async readFile(path, maxBytes) {
      let size: number;
      try {
        const st = await stat(path);
        if (!st.isFile()) throw bad(`attachment ${path} is not a file`);
        size = st.size;
      } catch (err) {
        if (err instanceof ClinvkError) throw err;
        throw bad(`attachment ${path} cannot be read (it does not exist or is not readable)`, (err as Error).message);
      }
      if (size > maxBytes) throw bad(`attachment ${path} is too large: ${size} bytes, and this clinvk accepts at most ${maxBytes} per attachment (server.max_attachment_bytes)`);
      const fh = await open(path, 'r');
      try {
        // At most maxBytes + 1: a file that grew since stat is still caught as too large.
        const buf = Buffer.alloc(Math.min(size, maxBytes) + 1);
        const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
        return new Uint8Array(buf.buffer, buf.byteOffset, bytesRead);
      } finally {
        await fh.close();
      }
    },

    async fetchUrl(url, { maxBytes, timeoutMs }) {
      let res: Response;
      try {
        res = await doFetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
      } catch (err) {
        const timedOut = (err as Error)?.name === 'TimeoutError';
        throw bad(timedOut ? `fetching ${url} took longer than ${timeoutMs / 1000} s (server.fetch_remote_timeout_secs)` : `fetching ${url} failed`, (err as Error)?.message);
      }
      if (!res.ok || !res.body) {
        await res.body?.cancel().catch(() => {});
        throw bad(`fetching ${url} failed: HTTP ${res.status}`);
      }
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (declared > maxBytes) {
        await res.body.cancel().catch(() => {});
        throw bad(`${url} is too large: ${declared} bytes, and this clinvk accepts at most ${maxBytes} per attachment (server.max_attachment_bytes)`);
      }
      // Read it ourselves and stop at the cap: a body without a length could be endless.
      const chunks: Uint8Array[] = [];
      let total = 0;
      const reader = res.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          total += value.length;
          if (total > maxBytes) {
            await reader.cancel().catch(() => {});
            throw bad(`${url} is too large: over ${maxBytes} bytes, the most this clinvk accepts per attachment (server.max_attachment_bytes)`);
          }
          chunks.push(value);
        }
      } catch (err) {
        if (err instanceof ClinvkError) throw err;
        throw bad(`fetching ${url} failed while reading it`, (err as Error)?.message);
      }
      const type = res.headers.get('content-type') ?? undefined;
      return { bytes: new Uint8Array(Buffer.concat(chunks)), ...(type ? { mediaType: type } : {}) };
    },

    async stage(files) {
      // mkdtemp makes the folder 0700 already; chmod says so whatever the umask did.
      const dir = await mkdtemp(join(opts.dir ?? tmpdir(), 'clinvk-attach-'));
      const remove = () => rm(dir, { recursive: true, force: true });
      try {
        await chmod(dir, 0o700);
        for (const f of files) await writeFile(join(dir, f.name), f.bytes, { mode: 0o600, flag: 'wx' });
      } catch (err) {
        await remove();
        throw new ClinvkError('INTERNAL', 'could not write the attachments to a temporary folder', { detail: (err as Error).message });
      }
      return { dir, remove };
    },
  };
}
