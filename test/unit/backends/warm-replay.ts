// Replays a recorded long-lived session (test/fixtures/samples/<backend>/…/*.jsonl, lines of
// {dir: '>>' | '<<', line}) through a warm codec: the server's lines are fed to `codec.line()`, and where
// the recording's client started a turn or interrupted one, the codec is asked to do the same. What the
// codec writes and what it yields are collected apart, so tests can compare both with the recording.
import type { WarmCodec, WarmOutput } from '../../../runtime/backends/warm.ts';
import { sample } from './samples.ts';

export interface Replay {
  /** Everything but `write` signals, in order. */
  events: WarmOutput[];
  /** Every line the codec wrote (open, turn, interrupt, write signals), parsed. */
  writes: Record<string, unknown>[];
}

type Entry = { dir: '>>' | '<<'; line: string };

export const transcript = (path: string): Entry[] =>
  sample(path)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Entry);

/** The prompt of the next turn/start the client wrote, from entry `i` on. */
function nextPrompt(entries: Entry[], i: number): string {
  for (let j = i; j < entries.length; j++) {
    const e = entries[j]!;
    if (e.dir !== '>>') continue;
    const msg = JSON.parse(e.line) as { method?: string; params?: { input?: { text?: string }[] } };
    if (msg.method === 'turn/start') return msg.params?.input?.[0]?.text ?? '';
  }
  return '';
}

export function replay(codec: WarmCodec, entries: Entry[], turn: (prompt: string) => { resumeId?: string } = () => ({})): Replay {
  const out: Replay = { events: [], writes: [] };
  const take = (outputs: WarmOutput[]) => {
    for (const o of outputs) {
      if (o.kind === 'write') out.writes.push(JSON.parse(o.line));
      else out.events.push(o);
    }
  };
  const wrote = (lines: string[]) => out.writes.push(...lines.map((l) => JSON.parse(l)));
  wrote(codec.open().flatMap((o) => (o.kind === 'write' ? [o.line] : [])));
  let inTurn = false;
  entries.forEach((e, i) => {
    if (e.dir === '<<') {
      const before = out.events.length;
      take(codec.line(e.line));
      if (out.events.slice(before).some((o) => o.kind === 'turn_end')) inTurn = false;
      return;
    }
    const method = (JSON.parse(e.line) as { method?: string }).method;
    const starts = method === 'thread/start' || method === 'thread/resume' || (method === 'turn/start' && !inTurn);
    if (starts && !inTurn) {
      inTurn = true;
      const prompt = nextPrompt(entries, i);
      wrote(codec.turn({ prompt, ...turn(prompt) }));
    } else if (method === 'turn/interrupt') wrote(codec.interrupt());
  });
  return out;
}

/** Methods (or `reply:<id>`) of the written lines, for a compact comparison with the recording. */
export const methods = (writes: Record<string, unknown>[]): string[] =>
  writes.map((w) => (typeof w.method === 'string' ? w.method : `reply:${String(w.id)}`));

export const recordedMethods = (entries: Entry[]): string[] =>
  methods(entries.filter((e) => e.dir === '>>').map((e) => JSON.parse(e.line) as Record<string, unknown>));
