// Helpers the three argv builders share.
import { ClinvkError } from '../contract.ts';

/**
 * A caller-supplied value that goes right after a flag (model, resume id, tool name). One starting
 * with `-` would be read as another flag by clap and yargs (and by commander for optional values),
 * so it is refused before anything runs.
 */
export function flagValue(backend: string, option: string, value: string): string {
  if (value.startsWith('-')) {
    throw new ClinvkError('INVALID_INPUT', `${option} "${value}" for ${backend} must not start with "-"`);
  }
  return value;
}

export const noFlag = (backend: string, option: string): string => `${backend} has no flag for ${option}; it was ignored`;

/** codex and gemini have no system prompt flag: the system prompt goes first in the prompt itself. */
export const withSystemPrompt = (prompt: string, system?: string): string =>
  system !== undefined && system.trim() !== '' ? `${system}\n\n${prompt}` : prompt;
