// The pickers a run needs: backend, model (the backend's default and the config's aliases, or any
// name typed), workdir, approval and sandbox modes. The server checks every value (workdir rules too).
import { APPROVAL_MODES, SANDBOX_MODES } from '../../../runtime/contract.ts';
import type { BackendJson } from './api.ts';

export interface RunOptions {
  backend: string;
  model: string;
  workdir: string;
  approval: string;
  sandbox: string;
}

export const usable = (b: BackendJson) => b.enabled && b.available;

/** Model ids from /openai/v1/models are `backend/model`; this backend's, without the prefix. */
export const modelsOf = (backend: string, modelIds: string[]) =>
  modelIds.filter((id) => id.startsWith(`${backend}/`)).map((id) => id.slice(backend.length + 1));

interface Props {
  value: RunOptions;
  onChange: (v: RunOptions) => void;
  backends: BackendJson[];
  modelIds: string[];
  disabled?: boolean;
  /** Continuing a session fixes its backend and workdir. */
  locked?: boolean;
}

export function RunOptionsForm({ value, onChange, backends, modelIds, disabled, locked }: Props) {
  const set = (k: keyof RunOptions) => (e: Event) => onChange({ ...value, [k]: (e.currentTarget as HTMLInputElement).value });
  const current = backends.find((b) => b.name === value.backend);
  return (
    <fieldset class="options" disabled={disabled}>
      <label>
        Backend
        <select value={value.backend} onChange={set('backend')} disabled={locked} data-testid="backend">
          {backends.map((b) => (
            <option key={b.name} value={b.name} disabled={!usable(b)}>
              {b.name}
              {usable(b) ? '' : ' (unavailable)'}
            </option>
          ))}
        </select>
      </label>
      <label>
        Model
        <input value={value.model} onInput={set('model')} list="model-list" placeholder={current?.default_model ?? 'default'} autocomplete="off" />
        <datalist id="model-list">
          {modelsOf(value.backend, modelIds).map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
      </label>
      <label class="wide">
        Workdir
        <input value={value.workdir} onInput={set('workdir')} placeholder="the server's directory" disabled={locked} spellcheck={false} />
      </label>
      <label>
        Approval
        <select value={value.approval} onChange={set('approval')}>
          {APPROVAL_MODES.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </label>
      <label>
        Sandbox
        <select value={value.sandbox} onChange={set('sandbox')}>
          {SANDBOX_MODES.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </label>
    </fieldset>
  );
}

/** The request fields these options add; defaults are left to the server's config. */
export function runFields(o: RunOptions) {
  return {
    backend: o.backend,
    ...(o.model.trim() ? { model: o.model.trim() } : {}),
    ...(o.workdir.trim() ? { workdir: o.workdir.trim() } : {}),
    ...(o.approval !== 'default' ? { approval_mode: o.approval } : {}),
    ...(o.sandbox !== 'default' ? { sandbox_mode: o.sandbox } : {}),
  };
}
