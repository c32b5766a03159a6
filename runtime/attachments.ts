// Checking what a caller attaches to a run, before anything starts: count, size, base64, media type
// against the bytes, where it may come from. Pure (no node:*): the door's handlers and the Worker use
// it too. Errors are ClinvkError INVALID_INPUT (a 400 on every HTTP door) naming the attachment.
import { ClinvkError, type Attachment } from './contract.ts';

/** The limits a run's attachments obey (config server.*; the same for the CLI). */
export interface AttachmentLimits {
  maxBytes: number;
  maxCount: number;
  fetchRemote: boolean;
  fetchTimeoutMs: number;
}

/** An attachment checked and with its bytes, ready to be written to the run's private folder. */
export interface ResolvedAttachment {
  name: string;
  mediaType: string;
  kind: 'image' | 'file';
  bytes: Uint8Array;
}

/**
 * The image types every backend takes natively (claude image blocks, codex --image, gemini @path), each
 * recognised by its magic number. Hand-written: four fixed signatures are shorter than a dependency,
 * and a sniffing library would bring node:* imports into the pure half.
 */
const IMAGE_MAGIC: Record<string, (b: Uint8Array) => boolean> = {
  'image/png': (b) => starts(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/jpeg': (b) => starts(b, [0xff, 0xd8, 0xff]),
  'image/gif': (b) => starts(b, [0x47, 0x49, 0x46, 0x38]) && (b[4] === 0x37 || b[4] === 0x39) && b[5] === 0x61,
  'image/webp': (b) => starts(b, [0x52, 0x49, 0x46, 0x46]) && starts(b.subarray(8), [0x57, 0x45, 0x42, 0x50]),
};
export const IMAGE_TYPES = Object.keys(IMAGE_MAGIC);
const IMAGE_EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };

/** File types guessed from a name when the caller gave none (the file is handed over as a path anyway). */
const EXT_TYPES: Record<string, string> = {
  pdf: 'application/pdf', txt: 'text/plain', md: 'text/markdown', csv: 'text/csv', json: 'application/json', html: 'text/html',
  xml: 'application/xml', yaml: 'application/yaml', yml: 'application/yaml', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg',
  gif: 'image/gif', webp: 'image/webp', svg: 'image/svg+xml', zip: 'application/zip',
};

function starts(b: Uint8Array, sig: number[]): boolean {
  return b.length >= sig.length && sig.every((v, i) => b[i] === v);
}

/** The image type the bytes are, by magic number; undefined when none of IMAGE_TYPES. */
export function sniffImage(bytes: Uint8Array): string | undefined {
  return IMAGE_TYPES.find((t) => IMAGE_MAGIC[t]!(bytes));
}

const normalizeType = (t: string): string => {
  const base = t.split(';')[0]!.trim().toLowerCase();
  return base === 'image/jpg' ? 'image/jpeg' : base;
};

const bad = (message: string, hint?: string) => new ClinvkError('INVALID_INPUT', message, { ...(hint ? { hint } : {}), details: { param: 'attachments' } });

/** Decoded size of a base64 text, without decoding it. */
export function base64Bytes(b64: string): number {
  const s = b64.replace(/\s+/g, '');
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return Math.floor((s.length * 3) / 4) - pad;
}

const B64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** base64 (standard or URL-safe, whitespace ignored) → bytes; undefined when it is not base64. */
export function decodeBase64(b64: string): Uint8Array | undefined {
  const s = b64.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (!B64.test(s) || s.length % 4 === 1) return undefined;
  try {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

/** bytes → base64, in chunks (String.fromCharCode on megabytes at once overflows the stack). */
export function encodeBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** `data:<type>;base64,<data>` → its parts; undefined when it is not a base64 data URL. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const m = /^data:([^;,]*)((?:;[^;,]*)*);base64,/i.exec(url);
  if (!m) return undefined;
  return { mediaType: m[1] || 'application/octet-stream', data: url.slice(m[0].length) };
}

/** The label of attachment `i` in messages: its name, else its position. */
export const labelOf = (a: Attachment, i: number): string => `attachment ${i + 1}${a.name ? ` (${a.name})` : ''}`;

/** Checks that need no I/O: count, exactly one source, remote fetching allowed, base64 size. Throws 400s. */
export function checkShapes(list: Attachment[], limits: AttachmentLimits): void {
  if (list.length > limits.maxCount) {
    throw bad(`too many attachments: ${list.length}, and this clinvk accepts at most ${limits.maxCount} per run (server.max_attachments)`);
  }
  list.forEach((a, i) => {
    const sources = [a.data, a.path, a.url].filter((v) => v !== undefined).length;
    if (sources !== 1) throw bad(`${labelOf(a, i)} must have exactly one of data (base64), path or url`);
    if (a.url !== undefined) {
      if (!/^https?:\/\//i.test(a.url)) throw bad(`${labelOf(a, i)}: only http(s) URLs and base64 data URLs can be attached, not ${a.url.slice(0, 40)}`);
      if (!limits.fetchRemote) {
        throw bad(`${labelOf(a, i)} is a remote URL, and this clinvk does not fetch remote images (server.fetch_remote_images is off)`, 'send the image inline as a base64 data URL');
      }
    }
    if (a.data !== undefined) {
      if (!a.mediaType) throw bad(`${labelOf(a, i)} has data but no media type`);
      const size = base64Bytes(a.data);
      if (size > limits.maxBytes) throw tooLarge(a, i, size, limits.maxBytes);
    }
  });
}

export const tooLarge = (a: Attachment, i: number, size: number, max: number) =>
  bad(`${labelOf(a, i)} is too large: ${size} bytes, and this clinvk accepts at most ${max} per attachment (server.max_attachment_bytes)`);

const lastSegment = (s: string): string => s.split(/[\\/]/).filter(Boolean).pop() ?? '';

/** A file name safe on every OS and in a gemini `@path` (no spaces), with the image's own extension. */
export function safeName(a: Attachment, i: number, mediaType: string, kind: 'image' | 'file'): string {
  const given = a.name ?? (a.path ? lastSegment(a.path) : a.url ? lastSegment(a.url.split(/[?#]/)[0]!.replace(/^https?:\/\/[^/]*/i, '')) : '');
  let name = given.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[.-]+/, '').slice(0, 100) || `attachment-${i + 1}`;
  const ext = kind === 'image' ? IMAGE_EXT[mediaType] : undefined;
  if (ext && !new RegExp(`\\.${ext === 'jpg' ? 'jpe?g' : ext}$`, 'i').test(name)) name = `${name}.${ext}`;
  return name;
}

/** Checks the bytes against the declared type and decides image or file. Throws 400s naming the attachment. */
export function classify(a: Attachment, i: number, bytes: Uint8Array, fetchedType?: string): ResolvedAttachment {
  const sniffed = sniffImage(bytes);
  const ext = (a.name ?? a.path ?? '').split('.').pop()?.toLowerCase() ?? '';
  // A server's content-type counts only when it names an image (many send application/octet-stream).
  const fetched = fetchedType && normalizeType(fetchedType).startsWith('image/') ? normalizeType(fetchedType) : undefined;
  const declared = a.mediaType ? normalizeType(a.mediaType) : fetched;
  const mediaType = declared ?? sniffed ?? EXT_TYPES[ext] ?? 'application/octet-stream';
  const wantsImage = a.kind === 'image' || (a.kind !== 'file' && mediaType.startsWith('image/'));
  if (wantsImage) {
    if (!IMAGE_TYPES.includes(mediaType) && a.kind !== 'image') {
      throw bad(`${labelOf(a, i)} is ${mediaType}, an image type the backends cannot take; send png, jpeg, gif or webp (or attach it as a file)`);
    }
    if (!sniffed) throw bad(`${labelOf(a, i)} is not an image: its bytes are not ${declared && IMAGE_TYPES.includes(declared) ? declared : 'png, jpeg, gif or webp'}`);
    if (declared && declared !== sniffed) throw bad(`${labelOf(a, i)} says it is ${declared}, but its bytes are ${sniffed}`);
    return { name: safeName(a, i, sniffed, 'image'), mediaType: sniffed, kind: 'image', bytes };
  }
  if (mediaType === 'application/pdf' && !starts(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) throw bad(`${labelOf(a, i)} says it is application/pdf, but its bytes are not a PDF`);
  return { name: safeName(a, i, mediaType, 'file'), mediaType, kind: 'file', bytes };
}

/** Names made unique within a run (the second "image.png" becomes "2-image.png"). */
export function uniqueNames(list: ResolvedAttachment[]): ResolvedAttachment[] {
  const seen = new Set<string>();
  return list.map((a, i) => {
    const name = seen.has(a.name.toLowerCase()) ? `${i + 1}-${a.name}` : a.name;
    seen.add(name.toLowerCase());
    return name === a.name ? a : { ...a, name };
  });
}
