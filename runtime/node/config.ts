// Loads ~/.clinvk/config.yaml (SPEC §4): file > defaults, env over the file, flags over env (the CLI's job).
// `config get|set` live in config-edit.ts. Without a file nothing needs checking, so neither yaml nor
// the schema loads: most runs have no file, and those two cost start-up time.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { backendConfig, defaultConfig } from '../config-defaults.ts';
import { BACKEND_NAMES, ClinvkError } from '../contract.ts';
import type { Config } from '../config.ts';
import { clinvkHome, configPath } from './home.ts';

export { clinvkHome, configPath };

const yaml = () => import('./yaml.ts');

type Env = Record<string, string | undefined>;

export interface LoadedConfig {
  config: Config;
  path: string;
  home: string;
  exists: boolean;
}

export async function loadConfig(opts: { path?: string; env?: Env } = {}): Promise<LoadedConfig> {
  const env = opts.env ?? process.env;
  const home = clinvkHome(env);
  const path = configPath(opts);
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ClinvkError('CONFIG_INVALID', `${path}: cannot read: ${(err as Error).message}`, { cause: err });
    }
  }
  const fromFile = text === undefined ? defaultConfig() : (await import('./config-validate.ts')).validate(path, await parseFile(path, text));
  const config = applyEnv(fromFile, env);
  return { config, path, home, exists: text !== undefined };
}

/** The YAML of a config file as plain data, or one error line per syntax problem. */
export async function parseFile(path: string, text: string): Promise<unknown> {
  const doc = (await yaml()).parseDocument(text);
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => `${path}: line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`);
    throw new ClinvkError('CONFIG_INVALID', lines.join('\n'), { hint: 'fix the YAML syntax, or move the file away to use defaults' });
  }
  return doc.toJS() ?? {};
}

/** CLINVK_BACKEND and CLINVK_<BACKEND>_MODEL override the file. */
function applyEnv(config: Config, env: Env): Config {
  const out: Config = { ...config, backends: { ...config.backends } };
  if (env.CLINVK_BACKEND) out.default_backend = env.CLINVK_BACKEND;
  const names = new Set<string>([...BACKEND_NAMES, ...Object.keys(config.backends)]);
  for (const name of names) {
    const model = env[`CLINVK_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_MODEL`];
    if (model) out.backends[name] = { ...backendConfig(config, name), model };
  }
  return out;
}

/**
 * The server's keys, read once and then removed from `env` (process.env for `clinvk serve`), so nothing
 * started later (a backend, a probe through tinyexec, which spreads process.env, a tool an agent runs)
 * can inherit them. Reading again after this returns nothing: keep the result.
 */
export function takeApiKeys(env: Env = process.env): string[] {
  const keys = loadApiKeys(env);
  dropApiKeys(env);
  return keys;
}

export function dropApiKeys(env: Env): void {
  for (const name of Object.keys(env)) if (name.startsWith('CLINVK_API_KEYS')) delete env[name];
}

/** API keys for the server: CLINVK_API_KEYS (comma list) and CLINVK_API_KEYS_FILE (one per line, # comments). Never the config file. */
export function loadApiKeys(env: Env = process.env): string[] {
  const keys = (env.CLINVK_API_KEYS ?? '').split(',').map((k) => k.trim());
  const file = env.CLINVK_API_KEYS_FILE;
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ClinvkError('CONFIG_INVALID', `CLINVK_API_KEYS_FILE ${file}: cannot read: ${(err as Error).message}`);
    }
    for (const line of text.split('\n')) {
      const k = line.trim();
      if (k && !k.startsWith('#')) keys.push(k);
    }
  }
  return [...new Set(keys.filter((k) => k.length > 0))];
}
