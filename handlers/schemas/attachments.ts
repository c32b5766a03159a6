// The `attachments` field of REST and MCP runs: `{name, media_type, data}` (base64), `{path}` (a file
// under the workdir rules) or `{url}` (http(s), only when server.fetch_remote_images is on). The engine
// checks the rest (count, size, bytes against media_type) and answers a 400 naming the attachment.
import { z } from 'zod';
import type { Attachment } from '../../runtime/contract.ts';

export const attachmentSchema = z
  .object({
    name: z.string().min(1).max(255).optional().describe('File name shown to the agent'),
    media_type: z.string().min(1).max(200).optional().describe('MIME type, e.g. image/png or application/pdf; required with data'),
    data: z.string().min(1).optional().describe('The bytes, base64'),
    path: z.string().min(1).max(4096).optional().describe('A file on the server (relative to workdir, or absolute; obeys the workdir rules)'),
    url: z.string().min(1).max(8192).optional().describe('An http(s) image URL (only when server.fetch_remote_images is on)'),
    kind: z.enum(['image', 'file']).optional().describe('image: must be an image; file: handed over as a path even if it is one'),
  })
  .describe('An image (png, jpeg, gif, webp) or a file for the agent: exactly one of data, path, url');

export const attachmentsField = z
  .array(attachmentSchema)
  .max(100)
  .optional()
  .describe('Images and files handed to the backend with the prompt (codex --image, claude image blocks, gemini @path; other files as paths)');

export function toAttachments(list: z.infer<typeof attachmentSchema>[]): Attachment[] {
  return list.map((a) => {
    const out: Attachment = {};
    if (a.name !== undefined) out.name = a.name;
    if (a.media_type !== undefined) out.mediaType = a.media_type;
    if (a.data !== undefined) out.data = a.data;
    if (a.path !== undefined) out.path = a.path;
    if (a.url !== undefined) out.url = a.url;
    if (a.kind !== undefined) out.kind = a.kind;
    return out;
  });
}
