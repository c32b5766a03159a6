// How each backend is handed a run's attachments (files already in the run's private folder):
//   codex:  `--image=<file>` per image (exec and exec resume both take it); other files as paths in the prompt.
//   claude: the prompt goes on stdin as one stream-json user message whose content carries each image as a
//           base64 image block (as the API's own), other files as paths in the prompt, with `--add-dir
//           <folder>` so claude may read them.
//   gemini: an `@<file>` reference per attachment (images and files alike: gemini reads them into the
//           request itself) and `--include-directories=<folder>` so the references are inside its workspace.
import type { StagedAttachment } from './types.ts';

const images = (list: StagedAttachment[] | undefined) => (list ?? []).filter((a) => a.kind === 'image');
const files = (list: StagedAttachment[] | undefined) => (list ?? []).filter((a) => a.kind === 'file');

/** The prompt followed by the paths of the non-image files, so the agent knows where to read them. */
export function withFileList(prompt: string, list: StagedAttachment[] | undefined): string {
  const fs = files(list);
  if (fs.length === 0) return prompt;
  const lines = fs.map((f) => `- ${f.path} (${f.mediaType})`);
  return `${prompt}\n\nAttached files (read them from these paths):\n${lines.join('\n')}`;
}

/** codex: one `--image=<file>` per image (the `=` form: `-i` takes several values and would eat what follows). */
export const codexImageFlags = (list: StagedAttachment[] | undefined): string[] => images(list).map((a) => `--image=${a.path}`);

/** claude: the stream-json user line carrying the prompt text and the images as base64 image blocks. */
export function claudeUserLine(prompt: string, list: StagedAttachment[] | undefined): string {
  const content: unknown[] = [{ type: 'text', text: withFileList(prompt, list) }];
  for (const a of images(list)) content.push({ type: 'image', source: { type: 'base64', media_type: a.mediaType, data: a.base64 ?? '' } });
  return JSON.stringify({ type: 'user', message: { role: 'user', content } });
}

/** claude: a folder it may read, when there are files for it to read. */
export const claudeDirFlags = (list: StagedAttachment[] | undefined, dir: string | undefined): string[] =>
  files(list).length > 0 && dir ? ['--add-dir', dir] : [];

/** gemini: `@<file>` for every attachment, after the prompt (names are sanitized: no spaces to escape). */
export function geminiWithRefs(prompt: string, list: StagedAttachment[] | undefined): string {
  if (!list || list.length === 0) return prompt;
  return `${prompt}\n\n${list.map((a) => `@${a.path}`).join(' ')}`;
}

export const geminiDirFlags = (list: StagedAttachment[] | undefined, dir: string | undefined): string[] =>
  list && list.length > 0 && dir ? [`--include-directories=${dir}`] : [];
