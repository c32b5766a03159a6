// From a run's `attachments` to files in a private per-run folder the backend is pointed at. Pure: the
// file reads, the remote fetch and the folder go through AttachmentIO (runtime/node/attachments-io.ts),
// so the engine and the handlers never touch the OS. Everything is checked before the folder is made,
// so a refused attachment leaves nothing behind and starts nothing.
import { ClinvkError, type Attachment } from './contract.ts';
import type { Config } from './config.ts';
import { CONFIG_DEFAULTS } from './config-defaults.ts';
import { checkShapes, classify, decodeBase64, encodeBase64, labelOf, tooLarge, uniqueNames, type AttachmentLimits, type ResolvedAttachment } from './attachments.ts';
import type { BackendAdapter, StagedAttachment } from './backends/types.ts';
import { checkExtraPaths, type WorkdirPolicy } from './workdir.ts';

/** The OS side of attachments (runtime/node/attachments-io.ts). */
export interface AttachmentIO {
  /** A local file's bytes; throws ClinvkError when it is missing or larger than `maxBytes`. */
  readFile(path: string, maxBytes: number): Promise<Uint8Array>;
  /** An http(s) URL's body, at most `maxBytes`, within `timeoutMs`; throws ClinvkError INVALID_INPUT on any failure. */
  fetchUrl(url: string, opts: { maxBytes: number; timeoutMs: number }): Promise<{ bytes: Uint8Array; mediaType?: string }>;
  /** Writes the files into a new private folder (0700, files 0600). */
  stage(files: { name: string; bytes: Uint8Array }[]): Promise<{ dir: string; remove(): Promise<void> }>;
}

export interface StagedRun {
  dir: string;
  files: StagedAttachment[];
  /** Removes the folder; safe to call more than once. */
  remove(): Promise<void>;
}

export function attachmentLimits(config: Config): AttachmentLimits {
  const s = { ...CONFIG_DEFAULTS.server, ...config.server };
  return {
    maxBytes: s.max_attachment_bytes,
    maxCount: s.max_attachments,
    fetchRemote: s.fetch_remote_images,
    fetchTimeoutMs: s.fetch_remote_timeout_secs * 1000,
  };
}

export interface StageDeps {
  config: Config;
  io?: AttachmentIO;
  realpath(path: string): Promise<string>;
  workdirPolicy?: WorkdirPolicy;
}

/**
 * Checks every attachment (shape, backend support, path rules, size, bytes against type) and, unless
 * `dryRun`, writes them to a private folder. A dry run gets placeholder paths in `$TMPDIR/clinvk-attach-…`.
 */
export async function stageAttachments(list: Attachment[], ctx: { adapter: BackendAdapter; cwd: string; dryRun: boolean }, deps: StageDeps): Promise<StagedRun> {
  const limits = attachmentLimits(deps.config);
  checkShapes(list, limits);
  const can = ctx.adapter.attachments;
  if (!can) throw new ClinvkError('INVALID_INPUT', `${ctx.adapter.displayName} cannot take attachments through clinvk`, { details: { param: 'attachments' } });
  if (!deps.io) throw new ClinvkError('INVALID_INPUT', 'attachments cannot be used here (this runtime has no place to write them)', { details: { param: 'attachments' } });
  const io = deps.io;
  // Path attachments reach as far as the workdir: on the server they obey the same rules.
  const paths = list.map((a) => a.path).filter((p): p is string => p !== undefined);
  if (deps.workdirPolicy && paths.length > 0) await checkExtraPaths(paths, { cwd: ctx.cwd, realpath: deps.realpath, policy: deps.workdirPolicy }, 'attachment path');

  const resolved: ResolvedAttachment[] = [];
  for (let i = 0; i < list.length; i++) {
    let a = list[i]!;
    let bytes: Uint8Array;
    let fetchedType: string | undefined;
    if (a.data !== undefined) {
      const decoded = decodeBase64(a.data);
      if (!decoded) throw new ClinvkError('INVALID_INPUT', `${labelOf(a, i)}: data is not valid base64`, { details: { param: 'attachments' } });
      bytes = decoded;
    } else if (a.path !== undefined) {
      bytes = await io.readFile(a.path.startsWith('/') ? a.path : `${ctx.cwd.replace(/\/+$/, '')}/${a.path}`, limits.maxBytes);
    } else {
      const got = await io.fetchUrl(a.url!, { maxBytes: limits.maxBytes, timeoutMs: limits.fetchTimeoutMs });
      bytes = got.bytes;
      fetchedType = got.mediaType;
      // Remote fetching is for images only (server.fetch_remote_images): a page or a file is refused.
      if (!a.kind) a = { ...a, kind: 'image' };
    }
    if (bytes.length > limits.maxBytes) throw tooLarge(a, i, bytes.length, limits.maxBytes);
    const r = classify(a, i, bytes, fetchedType);
    if (r.kind === 'image' && !can.images) throw new ClinvkError('INVALID_INPUT', `${ctx.adapter.displayName} cannot take images (${labelOf(a, i)})`, { details: { param: 'attachments' } });
    if (r.kind === 'file' && !can.files) throw new ClinvkError('INVALID_INPUT', `${ctx.adapter.displayName} cannot take files (${labelOf(a, i)})`, { details: { param: 'attachments' } });
    resolved.push(r);
  }
  const unique = uniqueNames(resolved);
  const staged = ctx.dryRun ? { dir: '$TMPDIR/clinvk-attach-XXXXXX', remove: async () => {} } : await io.stage(unique.map(({ name, bytes }) => ({ name, bytes })));
  let removed = false;
  return {
    dir: staged.dir,
    files: unique.map((r) => ({
      path: `${staged.dir}/${r.name}`,
      name: r.name,
      mediaType: r.mediaType,
      kind: r.kind,
      ...(r.kind === 'image' ? { base64: encodeBase64(r.bytes) } : {}),
    })),
    remove: async () => {
      if (removed) return;
      removed = true;
      await staged.remove();
    },
  };
}
