// The session store and the config it lives by, without the engine: `clinvk sessions …` needs
// nothing else, and skipping the engine, backends and spawner keeps those commands quick.
import type { SessionStore } from '../contract.ts';
import type { Config } from '../config.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { createSessionStore, sessionsDir } from './sessions.ts';

export async function openSessionStore(opts: { configPath?: string; env?: Record<string, string | undefined> } = {}): Promise<{ config: Config; sessions: SessionStore }> {
  const { config, home } = await loadConfig({ env: opts.env ?? process.env, ...(opts.configPath !== undefined ? { path: opts.configPath } : {}) });
  return { config, sessions: createSessionStore({ dir: sessionsDir(home), log: createLogger({ mode: 'cli' }) }) };
}
