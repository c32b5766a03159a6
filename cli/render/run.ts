// Renders one run's events for the CLI: text deltas to stdout as they arrive (everything else to
// stderr), the SPEC §3 JSON object at the end, or one unified event per line (stream-json).
import type { Writable } from 'node:stream';
import type { RunEvent, RunResult } from '../../runtime/contract.ts';
import { runEventToJson, usageToJson } from '../../runtime/wire.ts';

export type OutputFormat = 'text' | 'json' | 'stream-json';

/** SPEC §3 JSON output of `clinvk <prompt>`: every key always there, `null` when it has no value. */
export function resultJson(r: RunResult) {
  const u = usageToJson(r.usage);
  return {
    backend: r.backend,
    content: r.output,
    session_id: r.sessionId ?? null,
    backend_session_id: r.backendSessionId ?? null,
    model: r.model ?? null,
    duration_seconds: Math.round(r.durationMs) / 1000,
    exit_code: r.exitCode,
    usage: { input_tokens: u.input_tokens, output_tokens: u.output_tokens, total_tokens: u.total_tokens, cached_tokens: u.cached_tokens, reasoning_tokens: u.reasoning_tokens },
    cost_usd: r.costUsd ?? null,
    warnings: r.warnings,
    error: r.error ? { code: r.error.code, message: r.error.message, hint: r.error.hint } : null,
  };
}

export interface RunRenderer {
  event(e: RunEvent): void;
  end(result: RunResult): void;
}

export function createRunRenderer(format: OutputFormat, io: { stdout: Writable; stderr: Writable; verbose?: boolean }): RunRenderer {
  let wroteText = false;
  let endsWithNewline = true;
  let sessionId: string | undefined;
  let backend = '';
  const warned = new Set<string>();
  const warn = (m: string) => {
    if (warned.has(m)) return;
    warned.add(m);
    io.stderr.write(`warning: ${m}\n`);
  };
  return {
    event(e) {
      if (e.type === 'init') {
        backend = e.backend;
        sessionId = e.sessionId;
      }
      if (format === 'stream-json') {
        if (e.type === 'done') return;
        for (const line of [runEventToJson(e, { backend, ...(sessionId ? { sessionId } : {}) })].flat()) io.stdout.write(`${JSON.stringify(line)}\n`);
        return;
      }
      if (format !== 'text') return;
      if (e.type === 'text') {
        io.stdout.write(e.text);
        wroteText = true;
        endsWithNewline = e.text.endsWith('\n');
      } else if (e.type === 'warning') warn(e.message);
      else if (io.verbose && e.type === 'tool_use') io.stderr.write(`· ${e.name} ${JSON.stringify(e.input).slice(0, 120)}\n`);
      else if (io.verbose && e.type === 'tool_result') io.stderr.write(`  ${e.isError ? '✗' : '✓'} ${e.output.split('\n')[0]!.slice(0, 120)}\n`);
    },
    end(r) {
      if (format === 'stream-json') {
        for (const line of [runEventToJson({ type: 'done', result: r }, { backend: r.backend, ...(r.sessionId ? { sessionId: r.sessionId } : {}) })].flat()) io.stdout.write(`${JSON.stringify(line)}\n`);
        return;
      }
      if (format === 'json') {
        io.stdout.write(`${JSON.stringify(resultJson(r), null, 2)}\n`);
        if (r.error) io.stderr.write(`clinvk: ${r.error.message}\n${r.error.detail ? `detail: ${r.error.detail}\n` : ''}${r.error.hint ? `hint: ${r.error.hint}\n` : ''}`);
        return;
      }
      if (!wroteText && r.output) {
        io.stdout.write(r.output);
        wroteText = true;
        endsWithNewline = r.output.endsWith('\n');
      }
      if (wroteText && !endsWithNewline) io.stdout.write('\n');
      for (const w of r.warnings) warn(w);
      if (r.error) {
        io.stderr.write(`clinvk: ${r.error.message}\n`);
        if (r.error.detail) io.stderr.write(`detail: ${r.error.detail}\n`); // the local user may see paths
        if (r.error.hint) io.stderr.write(`hint: ${r.error.hint}\n`);
      }
    },
  };
}
