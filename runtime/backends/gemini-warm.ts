// gemini's long-lived mode: `gemini --acp` speaks the Agent Client Protocol, JSON-RPC 2.0 with one
// message a line both ways (warm-protocols.md, gemini). The codec sends `initialize` at start, then per
// turn `session/new` (first turn only; its reply gives the session id) and `session/prompt`, whose reply
// ends the turn with a stopReason and the usage in `_meta.quota`. Meanwhile gemini streams
// `session/update` notifications and asks `session/request_permission`, which we answer at once from
// the run's approval mode (an unanswered request stalls the turn forever). Traps handled here:
// - stdout can carry non-JSON lines ("Loaded cached credentials."): skipped. A line that starts like
//   JSON but does not parse is a broken stream: fatal (a lost reply would leave the turn hanging).
// - gemini's own request ids start at 0.
// - `session/load` of gemini 0.61.0 fails ("No previous sessions found for this project.") and erases
//   the saved session on the way, so the codec never sends it: `resumeLive: false`, and a turn asked to
//   resume anyway gets a `fatal` (through a request gemini refuses) so the engine runs it cold, `--resume`.
import type { ApprovalMode } from '../contract.ts';
import { sharedArgs } from './gemini-argv.ts';
import { allowsEveryTool, createAcpTurnEvents, permissionOutcome, type AcpTurnEvents } from './gemini-acp-events.ts';
import { fatalError, STDERR_NOISE } from './gemini-parser.ts';
import { withSystemPrompt } from './argv.ts';
import { isObj, num, stderrMessage, str, type Json } from './jsonl.ts';
import type { BackendEvent, BuiltArgv } from './types.ts';
import type { WarmCodec, WarmOutput, WarmProtocol, WarmStart, WarmTurn } from './warm.ts';

type Call = 'initialize' | 'session/new' | 'session/prompt' | 'refused-resume';

interface Turn {
  prompt: string;
  events: AcpTurnEvents;
  /** Set by interrupt(): whatever ends the turn now ends it as cancelled. */
  cancelling: boolean;
  /** The `session` event of this turn went out (it goes first, before anything else of the turn). */
  announced: boolean;
  /** The session/prompt request is out (before that, an interrupt has nothing to cancel). */
  prompted: boolean;
}

/** Method-level JSON-RPC errors: our request was wrong for this process (e.g. "Session not found"), not a backend failure. */
const PROTOCOL_ERRORS = new Set([-32700, -32600, -32601, -32602]);

const STOP_NOTICE: Record<string, string> = {
  max_turn_requests: 'gemini stopped the turn: it reached its turn limit or detected a loop',
  max_tokens: 'gemini stopped the turn: the context window is full',
  refusal: 'gemini refused to continue the turn',
};

/** `Error: …` (and FatalError…) lines are what gemini prints when it dies; its ACP stderr is otherwise noisy. */
const STDERR_PREFER = /(?:^|\s)(?:\w*Error|FATAL)\b[:!]/;
const STDERR_IGNORE = [...STDERR_NOISE, /^\[STARTUP\]/, /^Could not find promptId/i];

function spawn(start: WarmStart): BuiltArgv {
  const warnings: string[] = [];
  // No --prompt, no --output-format, no --resume: the protocol carries all three.
  return { args: ['--acp', ...sharedArgs(start, warnings), ...start.extra], warnings };
}

function createCodec(start: WarmStart): WarmCodec {
  const mode: ApprovalMode = start.approvalMode;
  const calls = new Map<number, Call>();
  let nextId = 1;
  let sessionId: string | undefined;
  let model: string | undefined = start.model;
  let turn: Turn | undefined;

  const request = (method: Exclude<Call, 'refused-resume'> | 'clinvk/session_load_refused', params: Json): string => {
    const id = nextId++;
    calls.set(id, method === 'clinvk/session_load_refused' ? 'refused-resume' : method);
    return JSON.stringify({ jsonrpc: '2.0', id, method, params });
  };
  const reply = (id: unknown, body: Json): WarmOutput => ({ kind: 'write', line: JSON.stringify({ jsonrpc: '2.0', id, ...body }) });
  const promptLine = (t: Turn): string => {
    t.prompted = true;
    return request('session/prompt', { sessionId, prompt: [{ type: 'text', text: t.prompt }] });
  };

  /** Events of the running turn, led by its `session` event. */
  const emit = (events: BackendEvent[]): BackendEvent[] => {
    if (!turn || turn.announced || sessionId === undefined) return events;
    turn.announced = true;
    return [model === undefined ? { kind: 'session', id: sessionId } : { kind: 'session', id: sessionId, model }, ...events];
  };
  const end = (events: BackendEvent[]): WarmOutput[] => {
    const cancelled = turn?.cancelling === true;
    // An interrupted turn is a cancel, not a backend failure: its late error or notice is dropped.
    const kept = cancelled ? events.filter((e) => e.kind === 'usage') : events;
    const out = emit(kept);
    turn = undefined;
    return [...out, cancelled ? { kind: 'turn_end', cancelled: true } : { kind: 'turn_end' }];
  };

  const onPromptResult = (result: Json): WarmOutput[] => {
    const events: BackendEvent[] = [];
    const quota = isObj(result._meta) && isObj(result._meta.quota) ? result._meta.quota : undefined;
    if (quota && isObj(quota.token_count)) {
      const tc = quota.token_count;
      events.push({ kind: 'usage', scope: 'run', usage: { inputTokens: num(tc.input_tokens) ?? 0, outputTokens: num(tc.output_tokens) ?? 0 } });
    }
    const stop = str(result.stopReason) ?? 'end_turn';
    if (stop === 'cancelled' && !turn?.cancelling) events.push({ kind: 'error', message: 'gemini cancelled the turn', fatal: true });
    else if (stop !== 'end_turn' && stop !== 'cancelled') {
      events.push({ kind: 'error', message: STOP_NOTICE[stop] ?? `gemini ended the turn with stopReason "${stop}"`, fatal: false });
    }
    return end(events);
  };

  const onResponse = (o: Json): WarmOutput[] => {
    const id = num(o.id);
    const call = id === undefined ? undefined : calls.get(id);
    if (id === undefined || call === undefined) return [{ kind: 'warning', message: `gemini answered a request clinvk did not send (id ${JSON.stringify(o.id)})` }];
    calls.delete(id);
    const error = isObj(o.error) ? o.error : undefined;
    const errText = error ? `${str(error.message) ?? 'error'}${isObj(error.data) && str(error.data.details) ? `: ${str(error.data.details)}` : ''}` : '';
    const result = isObj(o.result) ? o.result : {};
    switch (call) {
      case 'initialize':
        return error ? [{ kind: 'fatal', message: `gemini --acp initialize failed: ${errText}` }] : [{ kind: 'ready' }];
      case 'refused-resume':
        return [{ kind: 'fatal', message: 'gemini --acp cannot resume a saved session (session/load of gemini 0.61.0 erases it); run the turn cold with --resume' }];
      case 'session/new': {
        // Auth and settings failures land here; the cold run that follows reports them in gemini's own words.
        if (error || str(result.sessionId) === undefined) return [{ kind: 'fatal', message: `gemini --acp could not start a session: ${errText || 'no sessionId'}` }];
        sessionId = str(result.sessionId);
        if (isObj(result.models) && str(result.models.currentModelId) !== undefined) model = str(result.models.currentModelId);
        if (!turn) return [];
        if (turn.cancelling) return end([]);
        return [...emit([]), { kind: 'write', line: promptLine(turn) }];
      }
      case 'session/prompt': {
        if (!turn) return [];
        if (!error) return onPromptResult(result);
        const code = num(error.code);
        if (code !== undefined && PROTOCOL_ERRORS.has(code) && !turn.cancelling) return [{ kind: 'fatal', message: `gemini --acp refused the prompt: ${errText}` }];
        // Model/API failures (code = the HTTP status): the message may wrap the API's JSON error, which fatalError unwraps.
        return end([fatalError(errText, code !== undefined && code > 0 ? code : undefined)]);
      }
    }
  };

  const onRequest = (o: Json): WarmOutput[] => {
    const params = isObj(o.params) ? o.params : {};
    if (o.method === 'session/request_permission') {
      const allowed = allowsEveryTool(mode) && !turn?.cancelling;
      // While cancelling, "cancelled" is the answer the protocol asks for.
      const outcome = turn?.cancelling ? { outcome: { outcome: 'cancelled' } } : permissionOutcome(params.options, allowed);
      const events = turn && isObj(params.toolCall) ? emit(turn.events.permission(params.toolCall, allowed, mode)) : [];
      return [reply(o.id, { result: outcome }), ...events];
    }
    // We declared no fs or terminal capability; anything else asked of us gets a clean refusal, not silence.
    return [
      reply(o.id, { error: { code: -32601, message: `Method not found: ${String(o.method)}` } }),
      { kind: 'warning', message: `gemini asked for "${String(o.method)}", which clinvk does not provide; refused` },
    ];
  };

  return {
    open: () => [{ kind: 'write', line: request('initialize', { protocolVersion: 1, clientCapabilities: { fs: { readTextFile: false, writeTextFile: false } } }) }],

    line(line) {
      const text = line.trim();
      if (text === '') return [];
      let o: unknown;
      try {
        o = JSON.parse(text);
      } catch {
        if (text.startsWith('{')) return [{ kind: 'fatal', message: `gemini --acp printed a broken message: ${text.slice(0, 120)}` }];
        return []; // log noise on stdout, which gemini prints now and then
      }
      if (!isObj(o) || (o.method === undefined && o.id === undefined)) return [{ kind: 'warning', message: `gemini --acp printed an unknown message: ${text.slice(0, 120)}` }];
      if (typeof o.method === 'string' && o.id !== undefined) return onRequest(o);
      if (typeof o.method === 'string') {
        const params = isObj(o.params) ? o.params : {};
        // Updates of another session (none here) or between turns (available commands) belong to no turn.
        if (o.method !== 'session/update' || !turn || params.sessionId !== sessionId || !isObj(params.update)) return [];
        return emit(turn.events.update(params.update));
      }
      return onResponse(o);
    },

    turn(input: WarmTurn) {
      // gemini has no system prompt flag: it goes before the session's first prompt, and the session's history
      // keeps it (as a cold run's first turn does; the doors send it only with a conversation's first turn).
      const prompt = sessionId === undefined ? withSystemPrompt(input.prompt, start.systemPrompt) : input.prompt;
      turn = { prompt, events: createAcpTurnEvents(), cancelling: false, announced: false, prompted: false };
      if (sessionId !== undefined) return [promptLine(turn)];
      if (input.resumeId !== undefined) return [request('clinvk/session_load_refused', { sessionId: input.resumeId })];
      return [request('session/new', { cwd: input.workdir ?? start.workdir, mcpServers: [] })];
    },

    interrupt() {
      // Before session/prompt went out there is nothing gemini could cancel: the pool kills the group.
      if (!turn || !turn.prompted || sessionId === undefined) return [];
      turn.cancelling = true;
      return [JSON.stringify({ jsonrpc: '2.0', method: 'session/cancel', params: { sessionId } })];
    },

    exited(exit) {
      if (!turn) return [];
      const cancelling = turn.cancelling;
      const events = emit([]);
      turn = undefined;
      // Killed after an interrupt: the turn was cancelled, the death is ours.
      if (cancelling) return events;
      const how = exit.code === null ? 'was killed' : `exited with code ${exit.code}`;
      const message = stderrMessage(exit.stderr, STDERR_IGNORE, STDERR_PREFER) ?? `gemini ${how} before the turn ended`;
      return [...events, fatalError(message, exit.code ?? undefined)];
    },

    // In ACP mode gemini cleans up (and finishes its session file) when stdin closes, not on signals.
    shutdown: () => [],
  };
}

export const geminiWarm: WarmProtocol = {
  spawn,
  createCodec,
  resumeAtSpawn: false,
  resumeLive: false,
  workdirAtSpawn: false,
  // Measured: exit 0 0.4–3 s after stdin closes (2-core machine, busy). Its session file is written message
  // by message, so a kill after the grace loses little; the grace lets its cleanup (tool shells, temp files) run.
  shutdownGraceMs: 5000,
};
