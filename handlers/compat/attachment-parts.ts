// Image and file parts of the compatible APIs → the engine's Attachment. One table for the three
// dialects, so the chat, Responses and Messages surfaces read them alike:
//   OpenAI chat   {type:"image_url", image_url:{url}}           {type:"file", file:{file_data, filename}}
//   Responses     {type:"input_image", image_url}                {type:"input_file", file_data, filename}
//   Anthropic     {type:"image", source:{type:"base64"|"url"}}   {type:"document", source:{type:"base64"|"text"|"url"}, title}
// A data URL or base64 is inline; an http(s) URL is fetched by the runtime only when
// server.fetch_remote_images is on (else the engine answers a 400). A part we cannot turn into bytes
// (a file id, audio) is a 400 naming it: never dropped in silence.
import { ClinvkError, type Attachment } from '../../runtime/contract.ts';
import { encodeBase64, parseDataUrl } from '../../runtime/attachments.ts';

type Part = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Part | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Part) : undefined);

const refuse = (message: string) => new ClinvkError('INVALID_INPUT', message, { details: { param: 'messages' } });

/** An image given as a URL: a data URL inline, an http(s) URL to fetch, anything else refused. */
function fromUrl(url: string | undefined, kind: 'image' | 'file', where: string, name?: string): Attachment {
  if (!url) throw refuse(`${where} has no url (file ids cannot be resolved here: send the bytes inline as a data URL)`);
  const withName = name ? { name } : {};
  const inline = parseDataUrl(url);
  if (inline) return { ...withName, mediaType: inline.mediaType, data: inline.data, kind };
  if (/^https?:\/\//i.test(url)) return { ...withName, url, kind };
  throw refuse(`${where}: the url must be a base64 data URL or an http(s) URL`);
}

/** `file_data`: OpenAI's SDKs send a data URL; raw base64 is taken too (its type from the file name). */
function fromFileData(data: string | undefined, filename: string | undefined, where: string): Attachment {
  if (!data) throw refuse(`${where} has no file_data (file ids cannot be resolved here: send the bytes as file_data)`);
  const inline = parseDataUrl(data);
  const name = filename ? { name: filename } : {};
  if (inline) return { ...name, mediaType: inline.mediaType, data: inline.data, kind: 'file' };
  return { ...name, data, kind: 'file', mediaType: filename?.toLowerCase().endsWith('.pdf') ? 'application/pdf' : 'application/octet-stream' };
}

function anthropicSource(p: Part, kind: 'image' | 'file'): Attachment {
  const src = obj(p.source);
  const where = `a ${String(p.type)} block`;
  const name = str(p.title) ? { name: str(p.title)! } : {};
  switch (src?.type) {
    case 'base64':
      return { ...name, mediaType: str(src.media_type) ?? '', data: str(src.data) ?? '', kind };
    case 'url':
      return fromUrl(str(src.url), kind, where, name.name);
    case 'text': // a plain-text document: handed over as a .txt file like any other
      return { name: name.name ?? 'document.txt', mediaType: str(src.media_type) ?? 'text/plain', data: encodeBase64(new TextEncoder().encode(String(src.data ?? ''))), kind: 'file' };
    default:
      throw refuse(`${where} has a source of type "${String(src?.type)}", which clinvk cannot read: send base64${kind === 'image' ? ' or a url' : ', text or a url'}`);
  }
}

const READERS: Record<string, (p: Part) => Attachment> = {
  image_url: (p) => fromUrl(str(obj(p.image_url)?.url) ?? str(p.image_url), 'image', 'an image_url part'),
  file: (p) => fromFileData(str(obj(p.file)?.file_data), str(obj(p.file)?.filename), 'a file part'),
  input_image: (p) => fromUrl(str(p.image_url) ?? str(obj(p.image_url)?.url), 'image', 'an input_image part'),
  input_file: (p) =>
    str(p.file_url) && !str(p.file_data) ? fromUrl(str(p.file_url), 'file', 'an input_file part', str(p.filename)) : fromFileData(str(p.file_data), str(p.filename), 'an input_file part'),
  image: (p) => anthropicSource(p, 'image'),
  document: (p) => anthropicSource(p, 'file'),
};

/** Part types that carry content no backend can take through clinvk: a 400, not a silent drop. */
const UNSUPPORTED: Record<string, string> = {
  input_audio: 'audio input is not supported: the agent CLIs take text, images and files',
  audio: 'audio input is not supported: the agent CLIs take text, images and files',
};

/** The attachment a part carries, or undefined for parts that are not images or files. Throws 400s. */
export function partAttachment(part: unknown): Attachment | undefined {
  const p = obj(part);
  const type = str(p?.type);
  if (!p || !type) return undefined;
  if (UNSUPPORTED[type]) throw refuse(UNSUPPORTED[type]);
  return Object.hasOwn(READERS, type) ? READERS[type]!(p) : undefined;
}

/** The text a transcript shows where an attachment was (the bytes go to the backend natively). */
export function attachmentPlaceholder(part: unknown): string | undefined {
  const a = partAttachment(part);
  if (!a) return undefined;
  return `[${a.kind === 'file' ? 'file' : 'image'} attached${a.name ? `: ${a.name}` : ''}]`;
}

/** Every attachment among a message's parts, in order. */
export function attachmentsOf(parts: unknown): Attachment[] {
  if (!Array.isArray(parts)) return [];
  return parts.map(partAttachment).filter((a): a is Attachment => a !== undefined);
}
