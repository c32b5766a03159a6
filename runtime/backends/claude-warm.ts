// claude's long-lived mode: `claude -p --input-format stream-json --output-format stream-json …`,
// one stdin line per turn, each turn ends at its own `result` event (warm-protocols.md, claude).
// Output lines are the cold stream-json, so each turn gets a fresh cold parser (claude-parser.ts).
import { claudeArgs } from './claude-argv.ts';
import { claudeUserLine } from './attachment-args.ts';
import { createClaudeParser } from './claude-parser.ts';
import { isObj, str, type Json } from './jsonl.ts';
import type { BackendEvent, OutputParser } from './types.ts';
import type { WarmCodec, WarmOutput, WarmProtocol, WarmStart, WarmTurn } from './warm.ts';

const userLine = (prompt: string): string =>
  JSON.stringify({ type: 'user', message: { role: 'user', content: [{ type: 'text', text: prompt }] } });

function createCodec(): WarmCodec {
  let parser: OutputParser | undefined; // set while a turn runs
  let initSeen = false; // this turn's system/init: an interrupt sent before it does nothing
  let interrupting = false;
  let requests = 0;

  const interruptLine = () => JSON.stringify({ type: 'control_request', request_id: `clinvk-int-${++requests}`, request: { subtype: 'interrupt' } });

  /** The agent asks us something (hooks, can_use_tool): we registered none, so refuse rather than hang it. */
  const answer = (o: Json): WarmOutput[] => {
    const id = isObj(o.request) ? str(o.request_id) : undefined;
    if (id === undefined) return [];
    const subtype = isObj(o.request) ? (str(o.request.subtype) ?? 'request') : 'request';
    return [
      { kind: 'warning', message: `claude asked for "${subtype}", which clinvk does not answer over stdio; refused` },
      { kind: 'write', line: JSON.stringify({ type: 'control_response', response: { subtype: 'error', request_id: id, error: `clinvk does not handle ${subtype}` } }) },
    ];
  };

  const endTurn = (events: BackendEvent[]): WarmOutput[] => {
    const cancelled = interrupting;
    parser = undefined;
    interrupting = false;
    initSeen = false;
    // An interrupted turn ends as `error_during_execution`: that is our cancel, not a backend failure.
    const kept = cancelled ? events.filter((e) => e.kind !== 'error') : events;
    return [...kept, cancelled ? { kind: 'turn_end', cancelled: true } : { kind: 'turn_end' }];
  };

  return {
    open: () => [{ kind: 'ready' }], // claude prints nothing until the first user line
    line(line) {
      const text = line.trim();
      if (text === '') return [];
      let o: unknown;
      try {
        o = JSON.parse(text);
      } catch {
        return [{ kind: 'fatal', message: `claude printed a line that is not stream-json: ${text.slice(0, 120)}` }];
      }
      if (!isObj(o)) return [{ kind: 'fatal', message: `claude printed unexpected output: ${text.slice(0, 120)}` }];
      if (o.type === 'control_response' || o.type === 'keep_alive') return [];
      if (o.type === 'control_request') return answer(o);
      // A `result` ends a turn, not the process's work: later background output belongs to no turn.
      if (!parser) return [];
      const out: WarmOutput[] = [];
      if (o.type === 'system' && o.subtype === 'init' && !initSeen) {
        initSeen = true;
        if (interrupting) out.push({ kind: 'write', line: interruptLine() }); // the first one came too early
      }
      const events = parser.line(text);
      if (o.type === 'result') return [...out, ...endTurn(events)];
      return [...out, ...events];
    },
    turn(input: WarmTurn) {
      parser = createClaudeParser('stream-json');
      initSeen = false;
      interrupting = false;
      return [input.attachments?.length ? claudeUserLine(input.prompt, input.attachments) : userLine(input.prompt)];
    },
    interrupt() {
      if (!parser) return [];
      interrupting = true;
      return [interruptLine()];
    },
    exited(exit) {
      if (!parser) return [];
      const events = parser.end(exit);
      parser = undefined;
      if (events.some((e) => e.kind === 'error' && e.fatal)) return events;
      const how = exit.code === null ? 'was killed' : `exited with code ${exit.code}`;
      return [...events, { kind: 'error', message: `claude ${how} before the turn ended`, fatal: true }];
    },
    shutdown: () => [], // EOF on stdin is the signal; claude then writes its session file and exits 0
  };
}

export const claudeWarm: WarmProtocol = {
  spawn: (start: WarmStart) => claudeArgs(start, ['--input-format', 'stream-json']),
  createCodec,
  resumeAtSpawn: true,
  // Closing stdin then killing too fast can lose the end of the session file (warm-protocols.md traps).
  shutdownGraceMs: 5000,
  // Images as content blocks of the turn's user line; files would need --add-dir at the start: cold.
  attachments: { images: true, files: false },
};
