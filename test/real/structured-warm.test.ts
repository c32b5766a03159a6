// Structured output and effort on live agents of the real CLIs (the pool, as `clinvk serve` runs them):
// claude started with --json-schema and --effort in its long-lived stream-json mode, codex app-server
// taking outputSchema and effort in turn/start. Each answer is the schema's JSON, and the model API
// request carries the schema and the effort.
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { defaultConfig } from '../../runtime/config.ts';
import { collect } from '../../runtime/engine.ts';
import { createNodeRuntime, type NodeRuntime } from '../../runtime/node/index.ts';
import { itNeeds, sandbox, startMocks, stopMocks, type Mocks } from './harness.ts';

const schema = { type: 'object', properties: { city: { type: 'string' }, population: { type: 'integer' } }, required: ['city', 'population'], additionalProperties: false };
const answer = { city: 'Lyon', population: 520000 };
type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- whatever the CLI sent

describe('structured output and effort on live agents of the real CLIs', () => {
  let mocks: Mocks;
  let rt: NodeRuntime;
  beforeAll(async () => {
    mocks = await startMocks();
    const sb = sandbox(mocks);
    rt = await createNodeRuntime({ env: sb.env, cwd: sb.workdir, mode: 'server', config: defaultConfig(), warm: true, logLevel: 'error' });
  });
  afterAll(async () => {
    await rt?.close();
    await stopMocks(mocks);
  });

  itNeeds('claude')('claude: a live agent started with --json-schema and --effort answers the JSON', async () => {
    const before = mocks.anthropic.requests.length;
    const r = await collect(rt.run({ backend: 'claude', prompt: `CALL_TOOL:StructuredOutput ${JSON.stringify(answer)}`, outputSchema: schema, effort: 'high' }));
    expect(r.error, r.stderrTail).toBeUndefined();
    expect(JSON.parse(r.output)).toEqual(answer);
    expect((await rt.warm!()).agents.some((a) => a.backend === 'claude')).toBe(true);
    const body = mocks.anthropic.requests.slice(before).map((q) => q.body as Body).find((b) => Array.isArray(b.tools))!;
    expect(body.output_config?.effort).toBe('high');
    expect(body.tools.find((t: Body) => t.name === 'StructuredOutput')?.input_schema).toEqual(schema);
  });

  itNeeds('codex')('codex: app-server turn/start outputSchema and effort reach the Responses request', async () => {
    const before = mocks.responses.requests.length;
    const r = await collect(rt.run({ backend: 'codex', prompt: `ANSWER:${JSON.stringify(answer)}`, outputSchema: schema, effort: 'max' }));
    expect(r.error, r.stderrTail).toBeUndefined();
    expect(JSON.parse(r.output)).toEqual(answer);
    expect((await rt.warm!()).agents.some((a) => a.backend === 'codex')).toBe(true);
    const body = mocks.responses.requests.slice(before).map((q) => q.body as Body).find((b) => b.input)!;
    expect(body.text?.format?.type).toBe('json_schema');
    expect(body.text?.format?.schema).toMatchObject({ properties: schema.properties });
    expect(body.reasoning?.effort).toBe('xhigh');
  });
});
