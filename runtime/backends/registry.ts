// The backends clinvk knows. Adding one = its file + one line here (+ its fake CLI and tests).
import { ClinvkError } from '../contract.ts';
import { claude } from './claude.ts';
import { codex } from './codex.ts';
import { gemini } from './gemini.ts';
import type { BackendAdapter } from './types.ts';

export const BACKENDS: Record<string, BackendAdapter> = { claude, codex, gemini };

export const backendNames = (): string[] => Object.keys(BACKENDS);

export function getAdapter(name: string): BackendAdapter {
  const adapter = Object.hasOwn(BACKENDS, name) ? BACKENDS[name] : undefined;
  if (adapter === undefined) {
    throw new ClinvkError('UNKNOWN_BACKEND', `unknown backend "${name}"; choose one of: ${backendNames().join(', ')}`);
  }
  return adapter;
}
