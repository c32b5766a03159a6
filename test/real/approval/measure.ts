// The approval/sandbox matrix, measured: for one backend × approval × sandbox, clinvk (the built CLI, a
// cold run) asks the real agent, through the loopback mocks, to do one action, and we look at what
// actually happened on disk and in the conversation. Used by the `npm run approval-matrix` script
// (writes test/real/approval-matrix.json) and by the real-CLI test that re-measures it.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { clinvk, sandbox, type CliName, type Mocks } from '../harness.ts';
import type { LoggedRequest } from '../mocks/common.ts';

export const APPROVALS = ['none', 'auto', 'always'] as const;
export const SANDBOXES = ['default', 'read-only', 'workspace', 'full'] as const;
export const ACTIONS = ['command', 'write-workdir', 'write-outside'] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * What happened: `done` (the command's output reached the model / the file exists), `denied` (the
 * permission layer said no: asked, and nobody answered yes), `blocked` (the action ran and the OS
 * sandbox stopped it), `unavailable` (the CLI did not even offer the model that tool), `error` (the run
 * failed; `detail` says how).
 */
export type Outcome = 'done' | 'denied' | 'blocked' | 'unavailable' | 'error';

export interface Cell {
  backend: CliName;
  approval: (typeof APPROVALS)[number];
  sandbox: (typeof SANDBOXES)[number];
  action: Action;
}

export interface Measured extends Cell {
  outcome: Outcome;
  /** The tool result or error text that decided it (shortened), for people reading the matrix. */
  detail: string;
  /** clinvk's warnings for the run. */
  warnings: string[];
}

export const cellKey = (c: Cell) => `${c.backend}/${c.approval}/${c.sandbox}/${c.action}`;

export function allCells(backends: readonly CliName[] = ['claude', 'codex', 'gemini']): Cell[] {
  const out: Cell[] = [];
  for (const backend of backends)
    for (const approval of APPROVALS) for (const sb of SANDBOXES) for (const action of ACTIONS) out.push({ backend, approval, sandbox: sb, action });
  return out;
}

/**
 * Where "outside the workdir" writes go, and where each cell's scratch HOME (with the workdir) lives: not
 * under /tmp, which codex's workspace sandbox leaves writable and its read-only one hides.
 */
export const OUTSIDE_ROOT = resolve('.tmp/approval-outside');
export const HOMES_ROOT = resolve('.tmp/approval-homes');

const API: Record<CliName, keyof Mocks> = { claude: 'anthropic', codex: 'responses', gemini: 'gemini' };

/** The tool each action needs, as the CLI names it in the model request. */
const TOOL: Record<CliName, Record<Action, string[]>> = {
  claude: { command: ['Bash'], 'write-workdir': ['Write'], 'write-outside': ['Write'] },
  codex: { command: ['exec_command', 'shell_command', 'shell'], 'write-workdir': ['exec_command', 'shell_command', 'shell'], 'write-outside': ['exec_command', 'shell_command', 'shell'] },
  gemini: { command: ['run_shell_command'], 'write-workdir': ['write_file'], 'write-outside': ['write_file'] },
};

function offeredTools(backend: CliName, body: LoggedRequest['body']): string[] {
  const tools: { name?: string; type?: string; functionDeclarations?: { name: string }[] }[] = body?.tools ?? [];
  if (backend === 'gemini') return tools.flatMap((t) => (t.functionDeclarations ?? []).map((f) => f.name));
  return tools.map((t) => t.name ?? t.type ?? '');
}

/** The text of the tool result the CLI sent back to the model in this request, if it carries one. */
function toolResult(backend: CliName, body: LoggedRequest['body']): string | undefined {
  const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  if (backend === 'claude') {
    const last = (body?.messages ?? []).filter((m: { role: string }) => m.role === 'user').at(-1);
    const block = Array.isArray(last?.content) ? last.content.find((b: { type: string }) => b.type === 'tool_result') : undefined;
    if (!block) return undefined;
    const c = block.content;
    return Array.isArray(c) ? c.map((x: { text?: string }) => x.text ?? text(x)).join('\n') : text(c ?? '');
  }
  if (backend === 'codex') {
    const item = (body?.input ?? []).filter((i: { type?: string }) => /_call_output$/.test(i.type ?? '')).at(-1);
    return item ? text(item.output) : undefined;
  }
  const last = (body?.contents ?? []).at(-1);
  const part = (last?.parts ?? []).find((p: { functionResponse?: unknown }) => p.functionResponse);
  return part ? text(part.functionResponse.response ?? part.functionResponse) : undefined;
}

const DENIED = /permission|approv|not allowed|denied by|declined|rejected|refus|haven't granted|requires? (user )?confirmation|not permitted by policy|user cancel/i;
const BLOCKED = /access denied|not in workspace|outside (of )?the (workspace|project)|read-only file system|operation not permitted|EROFS|EACCES|EPERM|sandbox|bwrap|Permission denied/i;

const short = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 200);

/** Runs one cell (a fresh scratch HOME and workdir; the mocks are shared, each cell's prompt carries its own id). */
export async function measureCell(mocks: Mocks, cell: Cell, n: number): Promise<Measured> {
  const id = `cell${n}x${Math.random().toString(36).slice(2, 8)}`;
  // TMPDIR apart from HOME: codex refuses to create its sandbox helper (codex-linux-sandbox) under a
  // temporary folder, and every sandboxed command then fails with "bwrap: execvp codex-linux-sandbox".
  mkdirSync(join(HOMES_ROOT, 'tmp'), { recursive: true });
  const sb = sandbox(mocks, { TMPDIR: join(HOMES_ROOT, 'tmp') }, HOMES_ROOT);
  const outsideDir = join(OUTSIDE_ROOT, id);
  mkdirSync(outsideDir, { recursive: true });
  const target = cell.action === 'write-workdir' ? join(sb.workdir, `${id}.txt`) : join(outsideDir, `${id}.txt`);
  const marker = `ran-42-${id}`;
  const directive = cell.action === 'command' ? `USE_TOOL:sh -c 'printf ran-%s-${id} 42'` : `WRITE_FILE:${target}`;
  const args = ['-b', cell.backend, '--approval', cell.approval, '--sandbox', cell.sandbox, '-o', 'json', '-t', '150', `CELL:${id} ${directive}`];
  const r = await clinvk(args, sb, { timeoutMs: 180_000 });
  let json: { warnings?: string[]; error?: { message?: string } | null; content?: string } = {};
  try {
    json = JSON.parse(r.stdout);
  } catch {}
  const warnings = json.warnings ?? [];
  const base = { ...cell, warnings };
  const mine = mocks[API[cell.backend]].requests.filter((q) => JSON.stringify(q.body).includes(id));
  const effect =
    cell.action === 'command'
      ? mine.some((q) => JSON.stringify(q.body).includes(marker))
      : existsSync(target) && readFileSync(target, 'utf8').includes('clinvk-wrote');
  const results = mine.map((q) => toolResult(cell.backend, q.body)).filter((t): t is string => t !== undefined);
  const result = results.at(-1);
  if (effect) return { ...base, outcome: 'done', detail: short(result ?? '') };
  const withTools = mine.find((q) => offeredTools(cell.backend, q.body).length > 0);
  const offered = withTools ? offeredTools(cell.backend, withTools.body) : [];
  if (!mine.length || json.error || r.code === null) {
    const why = json.error?.message ?? (r.stderr.trim() || `exit ${r.code}`);
    if (result === undefined) return { ...base, outcome: 'error', detail: short(why) };
  }
  if (!TOOL[cell.backend][cell.action].some((t) => offered.includes(t))) return { ...base, outcome: 'unavailable', detail: `not among the tools offered to the model` };
  if (result === undefined) return { ...base, outcome: 'error', detail: short(json.error?.message ?? `no tool result; exit ${r.code}; ${r.stderr}`) };
  // The permission layer's words win over the OS's: "Permission denied" alone is the sandbox (EACCES).
  // Paths are left out (a folder may be called "approvals").
  const words = result.replace(/\S*\/\S*/g, ' ');
  const permission = DENIED.test(words.replace(/Permission denied/g, ''));
  return { ...base, outcome: permission ? 'denied' : BLOCKED.test(words) ? 'blocked' : 'error', detail: short(result) };
}

/** Measures cells `parallel` at a time, in the given order of results. */
export async function measureAll(mocks: Mocks, cells: Cell[], parallel = 4, onDone?: (m: Measured) => void): Promise<Measured[]> {
  const out: Measured[] = new Array(cells.length);
  let next = 0;
  const worker = async () => {
    while (next < cells.length) {
      const i = next++;
      out[i] = await measureCell(mocks, cells[i]!, i);
      onDone?.(out[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, cells.length) }, worker));
  return out;
}
