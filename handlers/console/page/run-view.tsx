// One run drawn: the prompt, the answer as Markdown (streamed), tool calls folded, warnings, the
// server's error as it worded it, and the figures of the finished turn.
import { useMemo } from 'preact/hooks';
import { renderMarkdown } from './markdown.ts';
import type { Part, Run } from './run-state.ts';

function Markdown({ text }: { text: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  return <div class="md" dangerouslySetInnerHTML={{ __html: html }} />;
}

const brief = (input: unknown): string => {
  if (input === undefined || input === null) return '';
  if (typeof input === 'object') {
    const o = input as Record<string, unknown>;
    const first = o.command ?? o.file_path ?? o.path ?? o.pattern ?? o.query ?? o.url;
    if (first !== undefined) return String(first);
  }
  return JSON.stringify(input);
};

function ToolCall({ part }: { part: Extract<Part, { kind: 'tool' }> }) {
  const state = part.output === undefined ? 'running' : part.isError ? 'failed' : 'done';
  return (
    <details class={`tool tool-${state}`} data-testid="tool-call">
      <summary>
        <span class="tool-name">{part.name}</span> <code class="tool-brief">{brief(part.input).slice(0, 120)}</code> <span class="tool-state">{state}</span>
      </summary>
      {part.input !== undefined && <pre class="tool-input">{JSON.stringify(part.input, null, 2)}</pre>}
      {part.output !== undefined && <pre class="tool-output">{part.output}</pre>}
    </details>
  );
}

export const formatMs = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

function Figures({ run }: { run: Run }) {
  const r = run.result;
  if (!r) return null;
  const u = r.token_usage;
  return (
    <p class="figures" data-testid="figures">
      <span>{formatMs(r.duration_ms)}</span>
      {u && <span>{`${u.input_tokens} in · ${u.output_tokens} out tokens`}</span>}
      {r.cost_usd != null && <span>{`$${r.cost_usd.toFixed(6)}`}</span>}
      {run.model && <span>{run.model}</span>}
      {r.exit_code !== 0 && <span>{`exit ${r.exit_code}`}</span>}
    </p>
  );
}

export function RunView({ run, showPrompt = true }: { run: Run; showPrompt?: boolean }) {
  return (
    <article class={`run run-${run.status}`} data-testid="run" data-status={run.status}>
      {showPrompt && <p class="prompt">{run.prompt}</p>}
      <div class="answer" data-testid="answer">
        {run.parts.map((p, i) =>
          p.kind === 'text' ? <Markdown key={i} text={p.text} /> : p.kind === 'tool' ? <ToolCall key={i} part={p} /> : <p key={i} class="warning">{p.message}</p>,
        )}
        {run.status === 'running' && <span class="cursor" aria-label="running">▍</span>}
      </div>
      {run.error && (
        <div class="error" role="alert" data-testid="run-error">
          {run.error.message}
          {run.error.hint && <div class="hint">{run.error.hint}</div>}
        </div>
      )}
      {run.status === 'stopped' && <p class="stopped">Stopped.</p>}
      <Figures run={run} />
    </article>
  );
}
