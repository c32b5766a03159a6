// gemini's only sandbox on Linux (`--sandbox`, what sandbox_mode workspace maps to) runs
// gemini again inside a docker or podman container. Without a working one gemini dies with
// "Fatal error: Failed to relaunch the CLI process." and nothing else (seen on 0.61.0 with the docker
// client on PATH and no daemon). So before such a run we look for the container command the way gemini
// does ($GEMINI_SANDBOX, else docker, else podman) and ask it `info`; when that fails the run ends at
// once with a message that says what is missing and what to do, and gemini is never started.
import { basename } from 'node:path';
import type { SpawnEvent, SpawnSpec, Spawner } from '../contract.ts';
import { runShort, type ShortResult } from './short-command.ts';

export interface PreflightDeps {
  which(command: string): Promise<string | undefined>;
  /** Runs `<container command> info`; the default is runShort with a 5 s limit. */
  info?(command: string, env: Record<string, string | undefined>): Promise<ShortResult | undefined>;
  now?(): number;
  /** How long an answer is reused (default 60 s): a daemon started later is seen within a minute. */
  ttlMs?: number;
}

const CONTAINER_COMMANDS = ['docker', 'podman'];

/** True for a gemini run (cold or --acp) that asks for its container sandbox. */
const wantsGeminiSandbox = (spec: SpawnSpec): boolean =>
  basename(spec.command).startsWith('gemini') && spec.args.some((a) => a === '--sandbox' || a === '-s' || a === '--sandbox=true');

/** Why gemini's container sandbox cannot start here, or undefined when it can (or is not gemini's to pick). */
export function createSandboxCheck(deps: PreflightDeps): (env: Record<string, string | undefined>) => Promise<string | undefined> {
  const ttl = deps.ttlMs ?? 60_000;
  const now = deps.now ?? Date.now;
  const info = deps.info ?? ((cmd, env) => runShort(cmd, ['info'], { env, timeoutMs: 5_000 }));
  const cache = new Map<string, { at: number; problem: string | undefined }>();
  const check = async (env: Record<string, string | undefined>): Promise<string | undefined> => {
    const chosen = env.GEMINI_SANDBOX?.trim();
    // A command gemini will not find with `info` (sandbox-exec on macOS, runsc, lxc…): its own business.
    if (chosen && !['1', 'true', ...CONTAINER_COMMANDS].includes(chosen)) return undefined;
    const candidates = chosen && CONTAINER_COMMANDS.includes(chosen) ? [chosen] : CONTAINER_COMMANDS;
    let found: string | undefined;
    for (const c of candidates) if ((found = (await deps.which(c)) ? c : undefined)) break;
    if (!found) return `gemini's sandbox (sandbox_mode workspace) runs gemini in a ${candidates.join(' or ')} container, and ${candidates.length > 1 ? 'neither is' : 'it is not'} on PATH`;
    const r = await info(found, env);
    if (r && r.exitCode === 0) return undefined;
    const why = r ? (r.stderr.trim().split('\n').filter(Boolean).pop() ?? `exit ${r.exitCode}`) : 'no answer within 5 s';
    return `gemini's sandbox (sandbox_mode workspace) runs gemini in a ${found} container, and \`${found} info\` fails here (${why.slice(0, 200)})`;
  };
  return async (env) => {
    const key = env.GEMINI_SANDBOX ?? '';
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttl) return hit.problem;
    const problem = await check(env);
    cache.set(key, { at: now(), problem });
    return problem;
  };
}

export const SANDBOX_HINT = 'start the container daemon (or install podman), or run gemini with sandbox_mode "default" or "full"';

/**
 * The spawner, with gemini's sandbox checked first. A failed check ends the run as gemini would have,
 * with its message on stderr and exit code 1, so the engine reports it like any failed run.
 */
export function withSandboxPreflight(spawner: Spawner, deps: PreflightDeps): Spawner {
  const problem = createSandboxCheck(deps);
  return {
    async *spawn(spec, signal): AsyncIterable<SpawnEvent> {
      const why = wantsGeminiSandbox(spec) ? await problem(spec.env) : undefined;
      if (why === undefined) return yield* spawner.spawn(spec, signal);
      yield { type: 'stderr', chunk: `clinvk: ${why}; ${SANDBOX_HINT}.\n` };
      yield { type: 'exit', code: 1, signal: null };
    },
  };
}
