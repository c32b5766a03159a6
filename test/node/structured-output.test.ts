// Structured output and reasoning effort through the Node runtime and the fake CLIs, cold and on live
// agents: the answer is the schema's JSON alone, a wrong first answer gets one repair turn in the same
// session, a second wrong one fails with OUTPUT_SCHEMA_MISMATCH, codex's schema file lives only as
// long as the run, and each backend gets its effort flag (gemini: a warning).
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Invocation } from '../../runtime/contract.ts';
import type { NodeRuntime } from '../../runtime/node/index.ts';
import { fakeLog, runAll, warmEnv, warmRuntime, type WarmEnv } from './warm-helpers.ts';

const schema = {
  type: 'object',
  properties: { city: { type: 'string' }, population: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } },
  required: ['city', 'population', 'tags'],
  additionalProperties: false,
};
const BACKENDS = ['claude', 'codex', 'gemini'] as const;

const runtimes: NodeRuntime[] = [];
async function setup(warm: boolean): Promise<{ w: WarmEnv; rt: NodeRuntime }> {
  const w = warmEnv();
  const rt = await warmRuntime(w, { warmOn: warm });
  runtimes.push(rt);
  return { w, rt };
}
afterAll(async () => {
  for (const rt of runtimes) await rt.close?.();
});

const turnsOf = (w: WarmEnv) => fakeLog(w).filter((l) => l.phase === 'turn' || (l.phase === 'start' && !l.argv.includes('--input-format') && !l.argv.includes('app-server') && !l.argv.includes('--acp')));

describe.each([false, true])('structured output (live agents: %s)', (warm) => {
  it.each(BACKENDS)('%s answers the schema\'s JSON alone', async (backend) => {
    const { w, rt } = await setup(warm);
    const { events, result } = await runAll(rt, { backend, prompt: 'Which city? [fake:json-fenced]', outputSchema: schema });
    expect(result.error).toBeUndefined();
    expect(JSON.parse(result.output)).toEqual({ city: 'fake', population: 42, tags: ['fake'] });
    // One text event, the JSON itself: no fence, no words around it.
    expect(events.filter((e) => e.type === 'text').map((e) => (e as { text: string }).text)).toEqual([result.output]);
    expect(turnsOf(w)).toHaveLength(1);
  });

  it.each(BACKENDS)('%s: a wrong first answer is repaired in the same session', async (backend) => {
    const { w, rt } = await setup(warm);
    const { events, result } = await runAll(rt, { backend, prompt: 'Which city? [fake:json-wrong-first]', outputSchema: schema });
    expect(result.error).toBeUndefined();
    expect(JSON.parse(result.output)).toMatchObject({ city: 'fake' });
    expect(result.warnings.join('\n')).toMatch(/did not match the output schema \(\(root\) must be object\); \w+ was asked once to fix it/);
    expect(events.filter((e) => e.type === 'init')).toHaveLength(1);
    const turns = turnsOf(w);
    expect(turns).toHaveLength(2);
    expect(turns[1]!.prompt ?? turns[1]!.argv.join(' ')).toContain('does not match the required JSON Schema');
    // Both turns were one session: the repair resumed it, and the session counts both turns.
    const session = await rt.sessions.get(result.sessionId!);
    expect(session.turnCount).toBe(2);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
  });

  it.each(BACKENDS)('%s: a second wrong answer fails the run, naming the first mismatch', async (backend) => {
    const { rt } = await setup(warm);
    const { events, result } = await runAll(rt, { backend, prompt: 'Which city? [fake:json-wrong-always]', outputSchema: schema });
    expect(result.error?.code).toBe('OUTPUT_SCHEMA_MISMATCH');
    expect(result.error?.message).toBe('the answer does not match the output schema, even after one repair turn: (root) must be object');
    expect(result.exitCode).toBe(1);
    expect(events.filter((e) => e.type === 'text')).toHaveLength(0);
    // The session's record says the run failed, and why (its last turn had recorded it completed).
    const session = await rt.sessions.get(result.sessionId!);
    expect(session).toMatchObject({ status: 'error', errorMessage: result.error!.message, turnCount: 2 });
  });
});

describe('structured output: what is refused, and the schema file', () => {
  it('a schema that is not a JSON Schema is refused before anything starts', async () => {
    const { w, rt } = await setup(false);
    await expect(runAll(rt, { backend: 'claude', prompt: 'hi', outputSchema: { type: 'objekt' } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/^the output schema is not a valid JSON Schema: schema\/type must be equal to one of the allowed values/),
    });
    await expect(runAll(rt, { backend: 'codex', prompt: 'hi', outputSchema: { properties: { a: { $ref: '#/$defs/missing' } } } })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining("can't resolve reference") });
    expect(fakeLog(w)).toHaveLength(0);
    expect((await rt.sessions.list()).total).toBe(0);
  });

  it('an ephemeral run (no session) repairs with the first prompt and answer in a fresh run', async () => {
    const { w, rt } = await setup(false);
    const { result } = await runAll(rt, { backend: 'claude', prompt: 'Which city? [fake:json-wrong-first]', outputSchema: schema, ephemeral: true });
    expect(result.error).toBeUndefined();
    const starts = fakeLog(w).filter((l) => l.phase === 'start');
    expect(starts).toHaveLength(2);
    expect(starts[1]!.argv).not.toContain('--resume');
    expect(starts[1]!.argv.at(-1)).toMatch(/^Which city\? \[fake:json-wrong-first\]\n\nA previous answer to this was:\n\["fake wrong answer"\]/);
  });

  const schemaFiles = (w: WarmEnv) => fakeLog(w).filter((l) => l.phase === 'schema').map((l) => (l as unknown as { schemaFile: string; schema: unknown }));

  it('codex gets the schema as a private temp file that is gone after the run', async () => {
    const { w, rt } = await setup(false);
    await runAll(rt, { backend: 'codex', prompt: 'Which city?', outputSchema: schema });
    const [seen] = schemaFiles(w);
    expect(seen!.schema).toEqual(schema);
    expect(existsSync(seen!.schemaFile)).toBe(false);
  });

  it.each<[string, Record<string, string>]>([
    ['fails', { FAKE_FAIL: 'error' }],
    ['is cancelled', { FAKE_HANG: '1' }],
  ])('codex\'s schema file is gone when the run %s', async (_how, knobs) => {
    const w = warmEnv(knobs);
    const rt = await warmRuntime(w, { warmOn: false });
    runtimes.push(rt);
    const ac = new AbortController();
    const running = runAll(rt, { backend: 'codex', prompt: 'Which city?', outputSchema: schema }, ac.signal);
    if (knobs.FAKE_HANG) {
      const { until } = await import('./warm-helpers.ts');
      await until(() => schemaFiles(w).length === 1);
      expect(existsSync(schemaFiles(w)[0]!.schemaFile)).toBe(true);
      ac.abort();
    }
    const { result } = await running;
    expect(result.error?.code).toBe(knobs.FAKE_HANG ? 'CANCELLED' : 'BACKEND_FAILED');
    expect(existsSync(schemaFiles(w)[0]!.schemaFile)).toBe(false);
  });

  it('a dry run shows where the schema goes, and writes nothing', async () => {
    const { rt } = await setup(false);
    const { result } = await runAll(rt, { backend: 'codex', prompt: 'hi', outputSchema: schema, effort: 'max', dryRun: true });
    expect(result.command!.args).toEqual(expect.arrayContaining(['--output-schema', '<temp>/output-schema.json', '-c', 'model_reasoning_effort="xhigh"']));
  });
});

describe.each([false, true])('reasoning effort (live agents: %s)', (warm) => {
  const inv = (backend: string): Invocation => ({ backend, prompt: 'think', effort: 'max' });

  it('claude gets --effort', async () => {
    const { w, rt } = await setup(warm);
    const { result } = await runAll(rt, inv('claude'));
    expect(result.error).toBeUndefined();
    const start = fakeLog(w).find((l) => l.phase === 'start')!;
    expect(start.argv.join(' ')).toContain('--effort max');
  });

  it('codex gets model_reasoning_effort (xhigh for max)', async () => {
    const { w, rt } = await setup(warm);
    const { result } = await runAll(rt, inv('codex'));
    expect(result.error).toBeUndefined();
    if (warm) expect((fakeLog(w).find((l) => l.phase === 'turn') as unknown as { effort: string }).effort).toBe('xhigh');
    else expect(fakeLog(w).find((l) => l.phase === 'start')!.argv).toEqual(expect.arrayContaining(['-c', 'model_reasoning_effort="xhigh"']));
  });

  it('gemini warns that it has no effort setting', async () => {
    const { rt } = await setup(warm);
    const { events, result } = await runAll(rt, inv('gemini'));
    expect(result.error).toBeUndefined();
    expect(events).toContainEqual({ type: 'warning', message: 'gemini has no reasoning effort setting; effort "max" was ignored' });
  });
});

it('an effort outside low|medium|high|max is refused', async () => {
  const { rt } = await setup(false);
  await expect(runAll(rt, { backend: 'claude', prompt: 'x', effort: 'extreme' as never })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'effort must be one of low, medium, high, max (got "extreme")' });
});
