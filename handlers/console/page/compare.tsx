// Compare: one prompt to several backends at once, each answer streaming in its own column with its
// time and tokens. Each column is an ordinary streamed /api/v1/prompt run, so it is recorded as a
// session and can be continued in Chat.
import { useEffect, useState } from 'preact/hooks';
import type { BackendJson } from './api.ts';
import type { Resume } from './chat.tsx';
import { PromptBox } from './prompt-box.tsx';
import { usable } from './run-options.tsx';
import { RunView } from './run-view.tsx';
import { useRunner } from './use-runner.ts';

interface Props {
  backends: BackendJson[];
  onContinue: (r: Resume) => void;
}

export function Compare({ backends, onContinue }: Props) {
  const [chosen, setChosen] = useState<string[]>([]);
  const [workdir, setWorkdir] = useState('');
  const { runs, setRuns, start, stop, running } = useRunner();

  useEffect(() => setChosen(backends.filter(usable).map((b) => b.name)), [backends]);

  const toggle = (name: string) => setChosen((c) => (c.includes(name) ? c.filter((n) => n !== name) : [...c, name]));
  const send = (prompt: string) => {
    setRuns([]);
    const dir = workdir.trim();
    for (const backend of chosen) void start({ backend, prompt, ...(dir ? { workdir: dir } : {}) });
  };

  return (
    <section class="compare" aria-label="Compare">
      <fieldset class="options" disabled={running}>
        <legend>Backends</legend>
        {backends.map((b) => (
          <label key={b.name} class="check">
            <input type="checkbox" checked={chosen.includes(b.name)} disabled={!usable(b)} onChange={() => toggle(b.name)} data-testid={`compare-${b.name}`} />
            {b.name}
          </label>
        ))}
        <label class="wide">
          Workdir
          <input value={workdir} onInput={(e) => setWorkdir(e.currentTarget.value)} placeholder="the server's directory" spellcheck={false} />
        </label>
      </fieldset>
      <PromptBox label="Prompt for every backend" running={running} onSend={send} onStop={stop} canSend={chosen.length > 0} />
      <div class="columns" data-testid="compare-columns">
        {runs.map((r) => (
          <div class="column" key={r.key} data-backend={r.backend}>
            <h3>{r.backend}</h3>
            <RunView run={r} showPrompt={false} />
            {r.sessionId && r.status !== 'running' && (
              <button type="button" class="link" onClick={() => onContinue({ sessionId: r.sessionId!, backend: r.backend, workdir: workdir.trim() })}>
                Continue in chat
              </button>
            )}
          </div>
        ))}
      </div>
    </section>
  );
}
