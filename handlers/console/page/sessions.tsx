// Sessions: the server's list, filtered by backend and status (server side) and workdir (here, on the
// page loaded); a session's details; continue it in Chat; delete it after a confirmation.
import { useEffect, useState } from 'preact/hooks';
import { SESSION_STATUSES } from '../../../runtime/contract.ts';
import { ApiError, getJson, request, type BackendJson, type SessionJson } from './api.ts';
import type { Resume } from './chat.tsx';

interface Props {
  backends: BackendJson[];
  onContinue: (r: Resume) => void;
}

const when = (iso: string) => new Date(iso).toLocaleString();

function Details({ s, onContinue, onDeleted }: { s: SessionJson; onContinue: Props['onContinue']; onDeleted: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState('');
  async function remove() {
    try {
      await request(`/api/v1/sessions/${encodeURIComponent(s.id)}`, { method: 'DELETE' });
      onDeleted();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }
  const u = s.token_usage;
  return (
    <div class="details" data-testid="session-details">
      <dl>
        <dt>Id</dt>
        <dd>
          <code>{s.id}</code>
        </dd>
        <dt>Backend</dt>
        <dd>{s.backend}</dd>
        <dt>Model</dt>
        <dd>{s.model ?? '—'}</dd>
        <dt>Status</dt>
        <dd>{s.status}</dd>
        <dt>Workdir</dt>
        <dd>
          <code>{s.working_dir}</code>
        </dd>
        <dt>Turns</dt>
        <dd>{s.turn_count}</dd>
        <dt>Tokens</dt>
        <dd>{u ? `${u.input_tokens} in · ${u.output_tokens} out` : '—'}</dd>
        <dt>Cost</dt>
        <dd>{s.cost_usd != null ? `$${s.cost_usd.toFixed(6)}` : '—'}</dd>
        <dt>Created</dt>
        <dd>{when(s.created_at)}</dd>
        <dt>Last used</dt>
        <dd>{when(s.last_used)}</dd>
        <dt>First prompt</dt>
        <dd class="pre">{s.initial_prompt ?? ''}</dd>
        {s.error_message && (
          <>
            <dt>Error</dt>
            <dd>{s.error_message}</dd>
          </>
        )}
      </dl>
      <div class="actions">
        <button type="button" onClick={() => onContinue({ sessionId: s.id, backend: s.backend, workdir: s.working_dir, ...(s.model ? { model: s.model } : {}) })} data-testid="continue">
          Continue in chat
        </button>
        {confirming ? (
          <span class="confirm" role="group" aria-label="Confirm deletion">
            Delete this session?{' '}
            <button type="button" class="danger" onClick={remove} data-testid="confirm-delete">
              Delete
            </button>{' '}
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <button type="button" class="danger" onClick={() => setConfirming(true)} data-testid="delete">
            Delete…
          </button>
        )}
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export function Sessions({ backends, onContinue }: Props) {
  const [backend, setBackend] = useState('');
  const [status, setStatus] = useState('');
  const [workdir, setWorkdir] = useState('');
  const [list, setList] = useState<{ sessions: SessionJson[]; total: number } | undefined>();
  const [selected, setSelected] = useState<SessionJson | undefined>();
  const [error, setError] = useState('');

  async function load() {
    const q = new URLSearchParams({ limit: '200', ...(backend ? { backend } : {}), ...(status ? { status } : {}) });
    try {
      setList(await getJson(`/api/v1/sessions?${q}`));
      setError('');
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  }
  async function open(id: string) {
    try {
      setSelected(await getJson(`/api/v1/sessions/${encodeURIComponent(id)}`));
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  }
  useEffect(() => void load(), [backend, status]);

  const shown = (list?.sessions ?? []).filter((s) => !workdir || s.working_dir.includes(workdir));
  return (
    <section class="sessions" aria-label="Sessions">
      <fieldset class="options">
        <legend>Filters</legend>
        <label>
          Backend
          <select value={backend} onChange={(e) => setBackend(e.currentTarget.value)}>
            <option value="">any</option>
            {backends.map((b) => (
              <option key={b.name} value={b.name}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">any</option>
            {SESSION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label class="wide">
          Workdir contains
          <input value={workdir} onInput={(e) => setWorkdir(e.currentTarget.value)} spellcheck={false} />
        </label>
        <button type="button" onClick={() => void load()}>
          Refresh
        </button>
      </fieldset>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <p class="count">{list ? `${shown.length} shown of ${list.total}` : 'Loading…'}</p>
      <div class="panes">
        <ul class="session-list" data-testid="session-list">
          {shown.map((s) => (
            <li key={s.id} class={selected?.id === s.id ? 'selected' : ''}>
              <button type="button" class="session-item" onClick={() => void open(s.id)} data-session-id={s.id}>
                <span class="badge">{s.backend}</span> <span class={`status status-${s.status}`}>{s.status}</span>{' '}
                <span class="title">{s.title || s.initial_prompt || s.id}</span>
                <span class="meta">
                  {s.turn_count} turn{s.turn_count === 1 ? '' : 's'} · {when(s.last_used)} · <code>{s.working_dir}</code>
                </span>
              </button>
            </li>
          ))}
        </ul>
        {selected && (
          <Details
            s={selected}
            onContinue={onContinue}
            onDeleted={() => {
              setSelected(undefined);
              void load();
            }}
          />
        )}
      </div>
    </section>
  );
}
