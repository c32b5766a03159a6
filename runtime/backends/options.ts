// Unified options that are not a single backend's business: the `extra` allow-list check and
// model aliases. The per-backend flag tables live in each backend file.
import { ClinvkError } from '../contract.ts';
import type { Config } from '../config.ts';
import type { BackendAdapter } from './types.ts';

/** One flag of an `extra` list: `--switch`, or a flag with its value (`--flag value` / `--flag=value`). */
export interface ExtraFlag {
  name: string;
  value?: string;
}

/**
 * Reads an `extra` list against the backend's allow-list. Accepted: `--switch`, `--flag value`,
 * `--flag=value` (flags taking one value). Rejected: unknown flags, bare words (the CLI would read
 * them as the prompt), `--`, and a value that itself starts with `-` (the CLI would read it as
 * another flag).
 */
export function extraFlags(adapter: BackendAdapter, extra: string[]): ExtraFlag[] {
  const allowed = adapter.extraAllowList;
  const list = Object.keys(allowed).sort().join(', ') || '(none)';
  const fail = (why: string): ClinvkError =>
    new ClinvkError('FLAG_NOT_ALLOWED', `${why} for backend ${adapter.name}; allowed extra flags: ${list}`, {
      hint: 'Use the unified options (model, approval_mode, sandbox_mode, …) for everything else.',
      details: { backend: adapter.name, allowed: Object.keys(allowed) },
    });
  const flags: ExtraFlag[] = [];
  for (let i = 0; i < extra.length; i++) {
    const token = extra[i] ?? '';
    if (!token.startsWith('-') || token === '-' || token === '--') throw fail(`extra argument "${token}" is not a flag`);
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    const name = eq > 0 ? token.slice(0, eq) : token;
    const arity = Object.hasOwn(allowed, name) ? allowed[name] : undefined;
    if (arity === undefined) throw fail(`extra flag "${name}" is not allowed`);
    if (eq > 0) {
      if (arity !== 1) throw fail(`extra flag "${name}" takes no value`);
      const value = token.slice(eq + 1);
      if (value.startsWith('-')) throw fail(`the value of extra flag "${name}" must not start with "-"`);
      flags.push({ name, value });
      continue;
    }
    if (arity === 1) {
      const value = extra[i + 1];
      if (value === undefined) throw fail(`extra flag "${name}" needs a value`);
      if (value.startsWith('-')) throw fail(`the value of extra flag "${name}" must not start with "-" (got "${value}")`);
      flags.push({ name, value });
      i++;
    } else flags.push({ name });
  }
  return flags;
}

/** Checks every `extra` element (extraFlags) and returns them unchanged. */
export function validateExtra(adapter: BackendAdapter, extra: string[]): string[] {
  extraFlags(adapter, extra);
  return [...extra];
}

/**
 * `extra` flags whose value names files or folders the backend will read (comma lists split): the
 * server checks each against its workdir rules (runtime/workdir.ts checkExtraPaths).
 */
const PATH_FLAGS = new Set(['--add-dir', '--include-directories', '-i', '--image']);

/** The paths named by PATH_FLAGS among already read flags. */
export function extraPaths(flags: ExtraFlag[]): string[] {
  return flags
    .filter((f) => PATH_FLAGS.has(f.name) && f.value !== undefined)
    .flatMap((f) => f.value!.split(',').map((v) => v.trim()))
    .filter((v) => v.length > 0);
}

/**
 * Built-in meaning of the aliases `fast`, `balanced`, `best` when config.backends.<name>.models
 * does not say. claude: its own aliases (it resolves them to the current models itself).
 * gemini: `flash` and `pro` are gemini's own aliases; gemini-3.5-flash-lite is the model its router
 * uses (all three seen in the 0.61.0 captures, backends-detail.md §3.1).
 * codex: its help names no models and 0.169.0 has no aliases; the only model name observed as its
 * default is gpt-6.1-sol (backends-detail.md §2.1), so all three map to it — set
 * backends.codex.models in the config to tell them apart.
 */
export const BUILTIN_MODEL_ALIASES: Record<string, Record<string, string>> = {
  claude: { fast: 'haiku', balanced: 'sonnet', best: 'opus' },
  codex: { fast: 'gpt-6.1-sol', balanced: 'gpt-6.1-sol', best: 'gpt-6.1-sol' },
  gemini: { fast: 'gemini-3.5-flash-lite', balanced: 'flash', best: 'pro' },
};

const alias = (config: Config, backend: string, name: string): string =>
  config.backends[backend]?.models[name] ?? BUILTIN_MODEL_ALIASES[backend]?.[name] ?? name;

/** The model to pass: the requested one (aliases mapped), else the backend's configured model, else none. */
export function resolveModel(config: Config, backend: string, model?: string): string | undefined {
  const wanted = model !== undefined && model.trim() !== '' ? model.trim() : config.backends[backend]?.model;
  if (wanted === undefined || wanted.trim() === '') return undefined;
  return alias(config, backend, wanted.trim());
}
