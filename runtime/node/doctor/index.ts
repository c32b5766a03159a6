// `clinvk doctor`: every check in one place, run by the CLI command, GET /api/v1/doctor and the MCP
// clinvk_backends tool alike (through Runtime.doctor). Checks run side by side; their order in the
// report is fixed. Nothing here touches the network unless `live` is asked for.
import { homedir } from 'node:os';
import { defaultConfig } from '../../config-defaults.ts';
import type { DoctorCheck, DoctorReport } from '../../contract.ts';
import { CLINVK_VERSION } from '../../version.ts';
import { childEnv } from '../child-env.ts';
import { clinvkHome } from '../home.ts';
import { createVersionProbe, createWhich } from '../which.ts';
import { backendChecks } from './backends.ts';
import { codexSandboxCheck, configCheck, nodeCheck, sessionsCheck } from './host.ts';
import { liveChecks, type RunFn } from './live.ts';

export interface DoctorDeps {
  env: Record<string, string | undefined>;
  cwd: string;
  /** --config, when given. */
  configPath?: string;
  live?: boolean;
  /** Runs the live prompts; the doctor skips them without it (e.g. when the config is invalid). */
  run?: RunFn;
  signal?: AbortSignal;
  /**
   * Cut every absolute path to `…/<name>` (the server: like its error answers, it never sends the
   * layout of the machine it runs on; home-relative `~/…` paths stay).
   */
  hidePaths?: boolean;
  /** For tests. */
  nodeVersion?: string;
  platform?: string;
  /** How long a `--version` or status command may take; gemini 0.61.0 needs ~4–12 s to print its version. */
  timeoutMs?: number;
}

export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const env = deps.env;
  const home = env.HOME || homedir();
  const timeoutMs = deps.timeoutMs ?? 30_000;
  const which = createWhich({ env, cwd: deps.cwd, ttlMs: 0 });
  const backendEnv = childEnv(env);
  const [cfg, sessions] = await Promise.all([configCheck(env, deps.configPath, home), sessionsCheck(clinvkHome(env), home)]);
  const config = cfg.config ?? defaultConfig();
  const { checks: backends, found } = await backendChecks({ config, env: backendEnv, home, timeoutMs, which, version: createVersionProbe({ env: backendEnv, timeoutMs }) });
  const sandbox = found.some((b) => b.name === 'codex') ? [await codexSandboxCheck(which, backendEnv, deps.platform ?? process.platform, home)] : [];
  const checks: DoctorCheck[] = [nodeCheck(deps.nodeVersion ?? process.versions.node), ...backends, ...sandbox, cfg.check, sessions];
  if (deps.live) {
    if (deps.run && cfg.config) checks.push(...(await liveChecks(found, deps.run, deps.signal)));
    else checks.push({ id: 'live', status: 'skip', message: 'no live prompts: the config is not valid', fix: 'fix the config first' });
  }
  return { ok: !checks.some((c) => c.status === 'fail'), version: CLINVK_VERSION, checks: deps.hidePaths ? checks.map(withoutPaths) : checks };
}

const ABSOLUTE_PATH = /(?<![\w.~/])\/[^\s'"`),;:]+/g;
const cut = (s: string) => s.replace(ABSOLUTE_PATH, (p) => `…/${p.split('/').filter(Boolean).pop() ?? ''}`);

function withoutPaths(c: DoctorCheck): DoctorCheck {
  const deep = (v: unknown): unknown => (typeof v === 'string' ? cut(v) : Array.isArray(v) ? v.map(deep) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x)])) : v);
  return deep(c) as DoctorCheck;
}
