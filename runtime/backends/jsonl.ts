// Small helpers shared by the three output parsers: reading one JSON line without ever throwing,
// picking typed fields out of `unknown`, and turning a backend's stderr into one readable message.
import type { BackendEvent } from './types.ts';

export type Json = Record<string, unknown>;

export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export const skipped = (backend: string, line: string): BackendEvent => ({
  kind: 'warning',
  message: `skipped unreadable ${backend} output: ${line.trim().slice(0, 120)}`,
});

/**
 * Wraps a handler of one parsed JSON object into a `line()` function: blank lines are ignored,
 * anything that is not a JSON object with a string `type` becomes a warning, and a handler that
 * trips over an unexpected shape also yields a warning instead of throwing.
 */
export function jsonLines(backend: string, handle: (obj: Json) => BackendEvent[]): (line: string) => BackendEvent[] {
  return (line) => {
    const text = line.trim();
    if (text === '') return [];
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      return [skipped(backend, text)];
    }
    if (!isObj(obj) || (typeof obj.type !== 'string' && !isObj(obj.msg))) return [skipped(backend, text)];
    try {
      return handle(obj);
    } catch {
      return [skipped(backend, text)];
    }
  };
}

/** Removes ANSI colour codes (gemini colours its trust message red). */
// eslint-disable-next-line no-control-regex
/**
 * A parser for one-object outputs (`--output-format json`): keep every line, parse the whole body once the
 * process has exited. `onBody` gets the parsed value (undefined when it is not JSON) and the raw text.
 */
export function bufferedJson(
  onBody: (parsed: unknown, body: string) => BackendEvent[],
  onExit: (exit: { code: number | null; stderr: string }) => BackendEvent[],
): { line(line: string): BackendEvent[]; end(exit: { code: number | null; stderr: string }): BackendEvent[] } {
  const lines: string[] = [];
  return {
    line: (l) => {
      lines.push(l);
      return [];
    },
    end: (exit) => {
      const body = lines.join('\n').trim();
      let parsed: unknown;
      if (body !== '') {
        try {
          parsed = JSON.parse(body);
        } catch {
          parsed = undefined;
        }
      }
      const out = body === '' ? [] : onBody(parsed, body);
      return [...out, ...onExit(exit)];
    },
  };
}

export const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

/**
 * The one line of a failed backend's stderr worth showing: the first line matching `prefer`
 * (e.g. clap's `error: …`), else the first line that is not noise. Stack backtraces are cut off.
 */
export function stderrMessage(stderr: string, noise: RegExp[] = [], prefer?: RegExp): string | undefined {
  const lines: string[] = [];
  for (const raw of stripAnsi(stderr).split(/\r?\n/)) {
    const line = raw.trim();
    if (/^stack backtrace:/i.test(line)) break;
    if (line === '' || noise.some((re) => re.test(line))) continue;
    lines.push(line);
  }
  const preferred = prefer ? lines.find((l) => prefer.test(l)) : undefined;
  const picked = preferred ?? lines[0];
  return picked === undefined ? undefined : picked.slice(0, 500);
}

/** Text of a tool result / MCP content that may be a string or a list of `{type:'text', text}` blocks. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  return arr(content)
    .map((b) => (isObj(b) ? (str(b.text) ?? '') : typeof b === 'string' ? b : ''))
    .filter((t) => t !== '')
    .join('\n');
}

/** Which output format a parser reads. The builders always ask for stream-json; `json` is for callers that ran the CLI themselves. */
export interface ParserOptions {
  format?: 'stream-json' | 'json';
}
