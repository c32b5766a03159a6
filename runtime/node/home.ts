// Where clinvk keeps its files. Apart from config.ts so commands that need only the folder (the
// sessions commands) do not load the config schema.
import { homedir } from 'node:os';
import { join } from 'node:path';

type Env = Record<string, string | undefined>;

export function clinvkHome(env: Env = process.env): string {
  return env.CLINVK_HOME || join(env.HOME || homedir(), '.clinvk');
}

export function configPath(opts: { path?: string; env?: Env } = {}): string {
  const env = opts.env ?? process.env;
  return opts.path || env.CLINVK_CONFIG || join(clinvkHome(env), 'config.yaml');
}
