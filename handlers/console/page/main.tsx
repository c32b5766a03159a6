// The console: a single page over the server's public APIs. Tabs live in the URL hash, so a reload
// or a link lands on the same view.
import './styles.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { apiKey, ApiError, getJson, whenUnauthorized, type BackendJson } from './api.ts';
import { Backends } from './backends.tsx';
import { Chat, type Resume } from './chat.tsx';
import { Compare } from './compare.tsx';
import { KeyForm } from './key-form.tsx';
import { Sessions } from './sessions.tsx';

const TABS = ['chat', 'compare', 'sessions', 'backends'] as const;
type Tab = (typeof TABS)[number];
const tabFromHash = (): Tab => (TABS as readonly string[]).includes(location.hash.slice(1)) ? (location.hash.slice(1) as Tab) : 'chat';

function App() {
  const [tab, setTab] = useState<Tab>(tabFromHash);
  const [backends, setBackends] = useState<BackendJson[]>([]);
  const [modelIds, setModelIds] = useState<string[]>([]);
  const [keyNeeded, setKeyNeeded] = useState<string | undefined>();
  const [loadError, setLoadError] = useState('');
  const [resume, setResume] = useState<Resume | undefined>();

  async function load() {
    try {
      const [b, m] = await Promise.all([getJson<{ backends: BackendJson[] }>('/api/v1/backends'), getJson<{ data: { id: string }[] }>('/openai/v1/models').catch(() => ({ data: [] }))]);
      setBackends(b.backends);
      setModelIds(m.data.map((x) => x.id));
      setLoadError('');
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) setLoadError(err instanceof Error ? err.message : String(err));
    }
  }

  useEffect(() => {
    whenUnauthorized((err) => setKeyNeeded(apiKey.get() ? `The key of this tab was refused: ${err.message}` : err.message));
    const onHash = () => setTab(tabFromHash());
    addEventListener('hashchange', onHash);
    void load();
    return () => removeEventListener('hashchange', onHash);
  }, []);

  const go = (t: Tab) => {
    location.hash = t;
    setTab(t);
  };
  const continueInChat = (r: Resume) => {
    setResume({ ...r });
    go('chat');
  };

  return (
    <>
      <header>
        <h1>clinvk</h1>
        <nav aria-label="Views">
          {TABS.map((t) => (
            <a key={t} href={`#${t}`} aria-current={tab === t ? 'page' : undefined} data-testid={`tab-${t}`}>
              {t[0]!.toUpperCase() + t.slice(1)}
            </a>
          ))}
        </nav>
        {apiKey.get() && (
          <button
            type="button"
            class="link"
            onClick={() => {
              apiKey.set('');
              setKeyNeeded(undefined);
              void load();
            }}
          >
            Forget key
          </button>
        )}
      </header>
      <main>
        {keyNeeded !== undefined && (
          <KeyForm
            reason={keyNeeded}
            onAccepted={() => {
              setKeyNeeded(undefined);
              void load();
            }}
          />
        )}
        {loadError && (
          <p class="error" role="alert">
            {loadError}
          </p>
        )}
        <div hidden={tab !== 'chat'}>
          <Chat backends={backends} modelIds={modelIds} {...(resume ? { resume } : {})} />
        </div>
        <div hidden={tab !== 'compare'}>
          <Compare backends={backends} onContinue={continueInChat} />
        </div>
        {tab === 'sessions' && <Sessions backends={backends} onContinue={continueInChat} />}
        {tab === 'backends' && <Backends backends={backends} onRefresh={() => void load()} />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
