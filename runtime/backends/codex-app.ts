// codex's long-lived mode: `codex app-server`, JSON-RPC over stdio without the "jsonrpc" field
// (design/warm-protocols.md; types in codex-app-types.ts). The live process is one app-server; its
// first turn opens the thread (thread/start, or thread/resume of the session's thread), every later
// turn is one turn/start on it.
//
// Handshake: initialize → reply → the `initialized` notification → ready. Nothing else may come first.
// A turn: [thread/start|thread/resume → reply →] turn/start → reply (turn id) → notifications
// (item/*, item/agentMessage/delta, thread/tokenUsage/updated, error, warning) → turn/completed.
// The server's own requests (approvals…) are answered at once from the run's approval mode.
// Shutdown: close stdin; app-server exits 0 on EOF (~0.1–0.5 s here) and on nothing else.
import { noFlag } from './argv.ts';
import { withFileList } from './attachment-args.ts';
import { answerServerRequest, type AnswerContext } from './codex-app-answers.ts';
import { createTurnItems } from './codex-app-items.ts';
import { codexModes } from './codex-modes.ts';
import type {
  ClientRequest,
  ErrorNotification,
  IgnoredNotificationMethod,
  ServerNotification,
  ThreadStartParams,
  TurnStartParams,
  UserInput,
} from './codex-app-types.ts';
import { IGNORED_NOTIFICATIONS, type JsonValue } from './codex-app-types.ts';
import { CODEX_EFFORT } from './effort-levels.ts';
import { isObj, stderrMessage, str, type Json } from './jsonl.ts';
import { classifyFailure } from './usage-limit.ts';
import type { BackendEvent, BuiltArgv } from './types.ts';
import type { WarmCodec, WarmOutput, WarmProtocol, WarmStart, WarmTurn } from './warm.ts';


type NotificationMethod = ServerNotification['method'];
const IGNORED = new Set<string>(IGNORED_NOTIFICATIONS satisfies readonly IgnoredNotificationMethod[]);

/** How `extra` (the cold allow-list, codex.ts) applies to app-server: argv, per-turn images, or nothing. */
function readExtra(start: WarmStart) {
  const args: string[] = [];
  const images: string[] = [];
  const addDirs: string[] = [];
  const warnings: string[] = [];
  const ex = start.extra;
  for (let i = 0; i < ex.length; i++) {
    const token = ex[i] ?? '';
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    const name = eq > 0 ? token.slice(0, eq) : token;
    const value = (): string => (eq > 0 ? token.slice(eq + 1) : (ex[++i] ?? ''));
    if (name === '--enable' || name === '--disable') args.push(name, value());
    else if (name === '--strict-config') args.push(name);
    else if (name === '-i' || name === '--image') images.push(value());
    else if (name === '--add-dir') addDirs.push(value());
    else if (name === '-p' || name === '--profile') args.push('-c', `profile=${JSON.stringify(value())}`);
    else {
      if (name === '--local-provider') value();
      warnings.push(`codex app-server has no ${name}; it was ignored`);
    }
  }
  // A JSON array of strings is a TOML array of basic strings.
  if (addDirs.length > 0) args.push('-c', `sandbox_workspace_write.writable_roots=${JSON.stringify(addDirs)}`);
  const abs = (p: string) => (p.startsWith('/') ? p : `${start.workdir.replace(/\/$/, '')}/${p}`);
  return { args, images: images.map(abs), warnings };
}

function spawn(start: WarmStart): BuiltArgv {
  const { args, warnings } = readExtra(start);
  if (start.maxTurns !== undefined && start.maxTurns > 0) warnings.push(noFlag('codex', 'max_turns'));
  if (start.maxTokens !== undefined && start.maxTokens > 0) warnings.push(noFlag('codex', 'max_tokens'));
  if (start.allowedTools && start.allowedTools.length > 0) warnings.push(noFlag('codex', 'allowed_tools'));
  warnings.push(...codexModes(start.approvalMode, start.sandboxMode).warnings);
  return { args: ['app-server', ...args], warnings };
}

/** What thread/start and thread/resume carry: everything a cold run puts on the command line. */
function threadParams(start: WarmStart): ThreadStartParams {
  const p: ThreadStartParams = { cwd: start.workdir, approvalsReviewer: 'user' }; // the reviewer explicitly (openai/codex#21982)
  // The same modes as the cold run (codex-modes.ts): 0.171 refuses `untrusted` ("no longer supported").
  const { approval, sandbox } = codexModes(start.approvalMode, start.sandboxMode);
  if (approval) p.approvalPolicy = approval;
  if (sandbox) p.sandbox = sandbox;
  // With a writable sandbox, thread/start writes `[projects."<cwd>"] trust_level = "trusted"` into the user's
  // own ~/.codex/config.toml (seen on 0.171.0; `codex exec -s workspace-write` does not). Saying so in the
  // thread's in-memory config keeps it from touching the file, and changes nothing codex was not about to do.
  if (sandbox === 'workspace-write' || sandbox === 'danger-full-access') p.config = { projects: { [start.workdir]: { trust_level: 'trusted' } } };
  if (start.model) p.model = start.model;
  if (start.systemPrompt !== undefined && start.systemPrompt.trim() !== '') p.developerInstructions = start.systemPrompt;
  return p;
}

type Pending = 'initialize' | 'thread' | 'turn' | 'interrupt';

export function createCodexAppCodec(spawned: WarmStart): WarmCodec {
  // thread/start and thread/resume take the cwd, so a process started in one folder (a spare in the
  // server's workdir) serves a session in any other: its first turn's workdir is the session's.
  let start = spawned;
  let images = readExtra(start).images;
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let thread: string | undefined;
  let dead = false;
  const unknownSeen = new Set<string>();
  const changedPaths = new Map<string, string[]>(); // file change items of the running turn, for approvals
  let answers: AnswerContext = { ...start, changedPaths: (id) => changedPaths.get(id) };

  // The running turn (undefined between turns).
  let turn: { prompt: string; images: string[]; id?: string; announced: boolean; interrupted: boolean; items: ReturnType<typeof createTurnItems> } | undefined;

  const request = (req: Omit<ClientRequest, 'id'>, purpose: Pending): string => {
    const id = nextId++;
    pending.set(id, purpose);
    return JSON.stringify({ id, ...req });
  };
  const write = (line: string): WarmOutput => ({ kind: 'write', line });
  const fatal = (message: string): WarmOutput[] => {
    dead = true;
    return [{ kind: 'fatal', message }];
  };

  const turnStart = (): string => {
    const input: UserInput[] = [{ type: 'text', text: turn?.prompt ?? '', text_elements: [] }, ...[...images, ...(turn?.images ?? [])].map((path): UserInput => ({ type: 'localImage', path }))];
    const params: TurnStartParams = { threadId: thread ?? '', input };
    // Per turn here (cold codex has flags for them); the pool's key still holds them, so a live agent keeps one of each.
    if (start.effort) params.effort = CODEX_EFFORT[start.effort];
    if (start.outputSchema) params.outputSchema = start.outputSchema as JsonValue;
    return request({ method: 'turn/start', params }, 'turn');
  };

  /** Ends the running turn; an interrupted one ends as a cancel, whatever codex says about it. */
  const endTurn = (events: WarmOutput[] = []): WarmOutput[] => {
    const cancelled = turn?.interrupted === true;
    turn = undefined;
    changedPaths.clear();
    return [...events, cancelled ? { kind: 'turn_end', cancelled: true } : { kind: 'turn_end' }];
  };

  const onReply = (purpose: Pending, msg: Json): WarmOutput[] => {
    const error = isObj(msg.error) ? (str(msg.error.message) ?? JSON.stringify(msg.error)) : undefined;
    const result = isObj(msg.result) ? msg.result : {};
    switch (purpose) {
      case 'initialize':
        if (error !== undefined) return fatal(`codex app-server refused initialize: ${error}`);
        return [write(JSON.stringify({ method: 'initialized' })), { kind: 'ready' }];
      case 'thread': {
        if (!turn) return [];
        const id = isObj(result.thread) ? str(result.thread.id) : undefined;
        if (error !== undefined || id === undefined) return endTurn(turn.items.failed(error ?? 'codex app-server opened no thread'));
        thread = id;
        return [write(turnStart())];
      }
      case 'turn':
        if (!turn) return [];
        if (error !== undefined) return endTurn(turn.items.failed(`turn/start: ${error}`));
        turn.id ??= isObj(result.turn) ? str(result.turn.id) : undefined;
        return [];
      case 'interrupt':
        return []; // `{}`; an error means the turn had already ended, and turn/completed says how
    }
  };

  const ours = (params: Json): boolean => params.threadId === undefined || params.threadId === null || params.threadId === thread;

  const onNotification = (method: string, params: Json): WarmOutput[] => {
    if (IGNORED.has(method)) return [];
    const known: Record<NotificationMethod, () => WarmOutput[]> = {
      'turn/started': () => {
        if (turn && ours(params) && isObj(params.turn)) turn.id ??= str(params.turn.id);
        return [];
      },
      'turn/completed': () => {
        const t = isObj(params.turn) ? params.turn : {};
        if (!turn || !ours(params) || (turn.id !== undefined && t.id !== turn.id)) return []; // a late end of an earlier turn
        const err = isObj(t.error) ? t.error : undefined;
        const failed = t.status === 'failed' ? turn.items.failed(str(err?.message) ?? 'codex turn failed', err?.codexErrorInfo) : [];
        return endTurn(failed);
      },
      'item/started': () => (turn && ours(params) ? item(false, params.item) : []),
      'item/completed': () => (turn && ours(params) ? item(true, params.item) : []),
      'item/agentMessage/delta': () => (turn && ours(params) ? turn.items.delta(str(params.itemId) ?? '', str(params.delta) ?? '') : []),
      'thread/tokenUsage/updated': () => (turn && ours(params) && isObj(params.tokenUsage) && isObj(params.tokenUsage.total) ? turn.items.usage(params.tokenUsage as never) : []),
      error: () => (turn && ours(params) ? turn.items.error(params as unknown as ErrorNotification) : []),
      warning: () => (turn && ours(params) && str(params.message) ? [{ kind: 'warning', message: str(params.message)! }] : []),
    };
    const h = Object.hasOwn(known, method) ? known[method as NotificationMethod] : undefined;
    if (h) return h();
    if (unknownSeen.has(method) || !turn) return [];
    unknownSeen.add(method);
    return [{ kind: 'warning', message: `codex app-server sent an unknown notification (${method}); ignored` }];
  };

  const item = (completed: boolean, it: unknown): WarmOutput[] => {
    if (isObj(it) && it.type === 'fileChange' && typeof it.id === 'string' && Array.isArray(it.changes)) {
      changedPaths.set(it.id, it.changes.map((c) => (isObj(c) ? (str(c.path) ?? '') : '')));
    }
    return turn ? turn.items.item(completed, it) : [];
  };

  const onServerRequest = (id: unknown, method: string, params: unknown): WarmOutput[] => {
    const a = answerServerRequest(method, params, answers);
    const reply = a.error ? { id, error: a.error } : { id, result: a.result };
    const out: WarmOutput[] = [write(JSON.stringify(reply))];
    if (a.warning && turn) out.push({ kind: 'warning', message: a.warning });
    return out;
  };

  /** The session event goes first in every turn, so the run's `init` carries the thread id. */
  const announce = (out: WarmOutput[]): WarmOutput[] => {
    if (!turn || turn.announced || thread === undefined) return out;
    turn.announced = true;
    return [{ kind: 'session', id: thread }, ...out];
  };

  return {
    open: () => [write(request({ method: 'initialize', params: { clientInfo: { name: 'clinvk', title: null, version: '1' }, capabilities: null } }, 'initialize'))],

    line(raw) {
      const text = raw.trim();
      if (text === '' || dead) return [];
      let msg: unknown;
      try {
        msg = JSON.parse(text);
      } catch {
        return fatal(`codex app-server printed a line that is not JSON-RPC: ${text.slice(0, 120)}`);
      }
      if (!isObj(msg)) return fatal(`codex app-server printed an unexpected message: ${text.slice(0, 120)}`);
      const method = str(msg.method);
      const params = isObj(msg.params) ? msg.params : {};
      if (method !== undefined && msg.id !== undefined) return announce(onServerRequest(msg.id, method, msg.params));
      if (method !== undefined) return announce(onNotification(method, params));
      const purpose = typeof msg.id === 'number' ? pending.get(msg.id) : undefined;
      if (purpose === undefined) return fatal(`codex app-server sent a reply to nothing we asked: ${text.slice(0, 120)}`);
      pending.delete(msg.id as number);
      return announce(onReply(purpose, msg));
    },

    turn(input: WarmTurn) {
      if (turn || dead) return []; // one turn at a time: a second turn/start would join the running one (openai/codex#10821)
      const turnImages = (input.attachments ?? []).filter((a) => a.kind === 'image').map((a) => a.path);
      turn = { prompt: withFileList(input.prompt, input.attachments), images: turnImages, announced: false, interrupted: false, items: createTurnItems() };
      if (thread !== undefined) return [turnStart()];
      if (input.workdir !== undefined && input.workdir !== start.workdir) {
        start = { ...start, workdir: input.workdir };
        images = readExtra(start).images;
        answers = { ...answers, workdir: input.workdir };
      }
      const resumeId = input.resumeId ?? start.resumeId;
      const params = threadParams(start);
      if (resumeId) return [request({ method: 'thread/resume', params: { ...params, threadId: resumeId, excludeTurns: true } }, 'thread')];
      return [request({ method: 'thread/start', params: start.ephemeral ? { ...params, ephemeral: true } : params }, 'thread')];
    },

    interrupt() {
      // Before the turn/start reply names the turn there is nothing to interrupt by id: the pool kills
      // the group instead. A second call (the first one stayed pending, openai/codex#36926) also kills.
      if (!turn || turn.id === undefined || thread === undefined || turn.interrupted) return [];
      turn.interrupted = true;
      return [request({ method: 'turn/interrupt', params: { threadId: thread, turnId: turn.id } }, 'interrupt')];
    },

    exited(exit) {
      dead = true;
      if (!turn) return [];
      turn = undefined;
      const message =
        stderrMessage(exit.stderr, [/^WARNING: proceeding/i, /^\S+Z\s+(INFO|WARN|DEBUG|TRACE)\b/, /bubblewrap/i], /panicked|^error/i) ??
        (exit.code === null ? 'codex app-server was killed' : `codex app-server exited with code ${exit.code}`);
      return [{ kind: 'error', message, fatal: true, category: classifyFailure(message).category } satisfies BackendEvent];
    },

    shutdown: () => [], // EOF on stdin is the signal; app-server exits 0 on it
  };
}

export const codexApp: WarmProtocol = {
  spawn,
  createCodec: createCodexAppCodec,
  resumeAtSpawn: false, // the first turn picks the thread: an initialized spare can resume any session
  workdirAtSpawn: false, // the first turn's thread/start (or thread/resume) gives the cwd: a spare serves any workdir
  shutdownGraceMs: 2000,
  // Images as `localImage` input items of turn/start; files as paths in the text (codex reads them itself).
  attachments: { images: true, files: true },
};
