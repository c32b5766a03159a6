// `clinvk doctor --live`: one tiny real prompt per backend found, through the engine like any run
// (so it proves the whole path: argv, auth, model, parser). It costs tokens, so only on request.
import type { DoctorCheck, Invocation, RunEvent, RunResult } from '../../contract.ts';
import type { FoundBackend } from './backends.ts';

export type RunFn = (inv: Invocation, signal?: AbortSignal) => AsyncIterable<RunEvent>;

export const LIVE_PROMPT = 'Reply with the single word OK.';
const LIVE_TIMEOUT_MS = 120_000;

export async function liveChecks(found: FoundBackend[], run: RunFn, signal?: AbortSignal): Promise<DoctorCheck[]> {
  return Promise.all(found.map((b) => liveCheck(b, run, signal)));
}

async function liveCheck(b: FoundBackend, run: RunFn, signal?: AbortSignal): Promise<DoctorCheck> {
  const id = `live.${b.name}`;
  if (!b.loggedIn) return { id, backend: b.name, status: 'skip', message: `${b.name}: no live prompt (not logged in)` };
  const started = Date.now();
  let result: RunResult | undefined;
  try {
    for await (const e of run({ backend: b.name, prompt: LIVE_PROMPT, ephemeral: true, timeoutMs: LIVE_TIMEOUT_MS }, signal)) if (e.type === 'done') result = e.result;
  } catch (err) {
    return { id, backend: b.name, status: 'fail', message: `${b.name} live prompt could not start: ${err instanceof Error ? err.message : String(err)}`, fix: `run \`clinvk -b ${b.name} "${LIVE_PROMPT}"\` to see the whole error` };
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (!result) return { id, backend: b.name, status: 'fail', message: `${b.name} live prompt ended without a result`, fix: `run \`clinvk -b ${b.name} "${LIVE_PROMPT}"\` to see what happens` };
  if (result.error) {
    const fix = result.error.code === 'BACKEND_AUTH' ? `log ${b.name} in again (its credentials were refused)` : result.error.code === 'BACKEND_RATE_LIMITED' ? 'wait for the usage limit to reset' : `run \`clinvk -b ${b.name} "${LIVE_PROMPT}"\` to see the whole error`;
    return { id, backend: b.name, status: 'fail', message: `${b.name} live prompt failed after ${secs} s: ${result.error.code}: ${result.error.message.split('\n')[0]!.slice(0, 200)}`, fix, details: { code: result.error.code, seconds: Number(secs) } };
  }
  const answer = result.output.trim().replace(/\s+/g, ' ').slice(0, 60);
  return { id, backend: b.name, status: 'ok', message: `${b.name} answered a live prompt in ${secs} s: "${answer}"`, details: { seconds: Number(secs), model: result.model, inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens } };
}
