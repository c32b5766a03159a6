// Short helper commands (`claude --version` and the like) on tinyexec. Agent runs never come here:
// they need their own process group and a kill of the whole tree (spawner.ts, STACK.md).
//
// Two of tinyexec's defaults are turned off. It spreads process.env under the env it is given, so
// every variable we dropped (the nested-agent markers of child-env.ts) would come back: each name
// of process.env missing from `env` is passed as undefined, which Node leaves out of the child's
// environment. And it puts node_modules/.bin first on PATH (nodePath: false), which would find a
// different binary than the one `which` resolved. A grandchild that keeps the pipes open would keep
// tinyexec's promise pending past its timeout, so the answer is raced against our own timer.
import { x } from 'tinyexec';

export interface ShortResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

/** Exactly `env`, whatever process.env holds. */
function exactEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const k of Object.keys(process.env)) out[k] = undefined;
  for (const [k, v] of Object.entries(env)) out[k] = v;
  return out;
}

/** Runs `command args` with stdin closed; undefined when it cannot start or outlives `timeoutMs`. */
export async function runShort(command: string, args: string[], opts: { env?: Record<string, string | undefined>; timeoutMs: number }): Promise<ShortResult | undefined> {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      ac.abort();
      resolve(undefined);
    }, opts.timeoutMs);
    timer.unref();
  });
  const done = (async (): Promise<ShortResult | undefined> => {
    const r = await x(command, args, {
      signal: ac.signal,
      nodePath: false,
      throwOnError: false,
      nodeOptions: { env: exactEnv(opts.env ?? process.env), stdio: ['ignore', 'pipe', 'pipe'], shell: false, windowsHide: true },
    });
    return { exitCode: r.exitCode, stdout: r.stdout.slice(0, 65_536), stderr: r.stderr.slice(0, 65_536) };
  })().catch(() => undefined);
  try {
    return await Promise.race([done, late]);
  } finally {
    clearTimeout(timer);
  }
}
