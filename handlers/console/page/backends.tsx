// Backends: what the server found (installed, version, enabled) and why one cannot run.
import type { BackendJson } from './api.ts';

export function Backends({ backends, onRefresh }: { backends: BackendJson[]; onRefresh: () => void }) {
  return (
    <section class="backends" aria-label="Backends">
      <table>
        <thead>
          <tr>
            <th scope="col">Backend</th>
            <th scope="col">Installed</th>
            <th scope="col">Version</th>
            <th scope="col">Enabled</th>
            <th scope="col">Default model</th>
            {backends.some((b) => b.warm !== undefined) && <th scope="col">Warm</th>}
          </tr>
        </thead>
        <tbody>
          {backends.map((b) => (
            <tr key={b.name}>
              <th scope="row">{b.name}</th>
              <td>{b.available ? 'yes' : `no${b.reason ? `: ${b.reason}` : ''}`}</td>
              <td>{b.version ?? '—'}</td>
              <td>{b.enabled ? 'yes' : 'no'}</td>
              <td>{b.default_model ?? '—'}</td>
              {backends.some((x) => x.warm !== undefined) && <td>{b.warm ? 'yes' : 'no'}</td>}
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={onRefresh}>
        Refresh
      </button>
    </section>
  );
}
