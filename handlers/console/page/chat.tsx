// Chat: one conversation with one backend. The first answer's session id rides on every next message,
// so the agent continues the same session (the server resumes it).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { BackendJson } from './api.ts';
import { PromptBox } from './prompt-box.tsx';
import { RunOptionsForm, runFields, usable, type RunOptions } from './run-options.tsx';
import { RunView } from './run-view.tsx';
import { useRunner } from './use-runner.ts';

export interface Resume {
  sessionId: string;
  backend: string;
  workdir: string;
  model?: string;
}

interface Props {
  backends: BackendJson[];
  modelIds: string[];
  resume?: Resume;
}

const firstUsable = (backends: BackendJson[]) => backends.find(usable)?.name ?? backends[0]?.name ?? '';

export function Chat({ backends, modelIds, resume }: Props) {
  const [options, setOptions] = useState<RunOptions>({ backend: '', model: '', workdir: '', approval: 'default', sandbox: 'default' });
  const [sessionId, setSessionId] = useState<string | undefined>();
  const { runs, setRuns, start, stop, running } = useRunner();
  const end = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!options.backend && backends.length) setOptions((o) => ({ ...o, backend: firstUsable(backends) }));
  }, [backends]);
  useEffect(() => {
    if (!resume) return;
    setRuns([]);
    setSessionId(resume.sessionId);
    setOptions((o) => ({ ...o, backend: resume.backend, workdir: resume.workdir, model: resume.model ?? '' }));
  }, [resume]);
  useEffect(() => end.current?.scrollIntoView({ block: 'end' }), [runs]);

  async function send(prompt: string) {
    const done = await start({ ...runFields(options), prompt, ...(sessionId ? { session_id: sessionId } : {}) });
    if (done.sessionId) setSessionId(done.sessionId);
  }

  const newChat = () => {
    setRuns([]);
    setSessionId(undefined);
  };

  return (
    <section class="chat" aria-label="Chat">
      <details class="settings" open>
        <summary>Run options</summary>
        <RunOptionsForm value={options} onChange={setOptions} backends={backends} modelIds={modelIds} disabled={running} locked={!!sessionId} />
      </details>
      <div class="session-bar">
        {sessionId ? (
          <span data-testid="session-id">
            Session <code>{sessionId}</code>
          </span>
        ) : (
          <span>New conversation</span>
        )}
        <button type="button" class="link" onClick={newChat} disabled={running || (!sessionId && !runs.length)}>
          New chat
        </button>
      </div>
      <div class="transcript" aria-live="polite">
        {runs.map((r) => (
          <RunView key={r.key} run={r} />
        ))}
        <div ref={end} />
      </div>
      <PromptBox label="Message" running={running} onSend={send} onStop={stop} canSend={!!options.backend} />
    </section>
  );
}
