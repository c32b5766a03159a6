// Asked when the server answers 401: the key is tried at once and kept for this tab only. A refused
// key says so in words; the rest of the page stays as it was.
import { useState } from 'preact/hooks';
import { apiKey, ApiError, getJson } from './api.ts';

export function KeyForm({ reason, onAccepted }: { reason: string; onAccepted: () => void }) {
  const [key, setKey] = useState('');
  const [message, setMessage] = useState('');
  const [checking, setChecking] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setChecking(true);
    const previous = apiKey.get();
    apiKey.set(key.trim());
    try {
      await getJson('/api/v1/backends');
      onAccepted();
    } catch (err) {
      apiKey.set(previous);
      const refused = err instanceof ApiError && err.status === 401;
      setMessage(refused ? `The server refused this key: ${err.message}` : `Could not check the key: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setChecking(false);
    }
  }
  return (
    <form class="key-form" onSubmit={submit} aria-label="API key" data-testid="key-form">
      <h2>This server needs an API key</h2>
      <p>{reason}</p>
      <label>
        API key
        <input type="password" value={key} onInput={(e) => setKey(e.currentTarget.value)} autocomplete="off" required data-testid="key-input" />
      </label>
      <button type="submit" disabled={checking || !key.trim()} data-testid="key-submit">
        Use this key
      </button>
      <p class="hint">Kept in this tab only (sessionStorage): closing the tab forgets it.</p>
      {message && (
        <p class="error" role="alert" data-testid="key-error">
          {message}
        </p>
      )}
    </form>
  );
}
