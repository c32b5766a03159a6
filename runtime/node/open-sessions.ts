// The session store alone, without the engine or the config schema: `clinvk sessions list|show|delete`
// need nothing else (the folder comes from CLINVK_HOME, not from the config file), and skipping the
// rest keeps them quick. `sessions clean` loads the config itself for its retention default.
import type { SessionStore } from '../contract.ts';
import { clinvkHome } from './home.ts';
import { createLogger } from './logger.ts';
import { createSessionStore, sessionsDir } from './sessions.ts';

export function openSessionStore(env: Record<string, string | undefined> = process.env): SessionStore {
  return createSessionStore({ dir: sessionsDir(clinvkHome(env)), log: createLogger({ mode: 'cli' }) });
}
