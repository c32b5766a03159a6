// The caller's own tools on the real CLIs, offline: the official openai SDK runs a function-calling loop
// through an in-process clinvk server; the loopback model mock (CALL_TOOL:) makes the real agent call the
// tool it was offered over clinvk's per-run MCP bridge, and the tool's result must reach the model.
import OpenAI from 'openai';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../handlers/app.ts';
import { defaultConfig } from '../../runtime/config-defaults.ts';
import { createNodeRuntime, type NodeRuntime } from '../../runtime/node/index.ts';
import { serve } from '../../runtime/node/server.ts';
import { sandbox, skipUnless, startMocks, stopMocks, type Mocks, type Sandbox } from './harness.ts';

const TOOLS: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
];

for (const backend of ['claude', 'codex', 'gemini'] as const) {
  describe.skipIf(skipUnless(backend))(`real ${backend}: a function-calling loop over the MCP bridge`, () => {
    let mocks: Mocks;
    let sb: Sandbox;
    let rt: NodeRuntime;
    let stop: () => Promise<void>;
    let url: string;

    beforeAll(async () => {
      mocks = await startMocks();
      sb = sandbox(mocks);
      rt = await createNodeRuntime({ env: sb.env, cwd: sb.workdir, mode: 'server', config: defaultConfig(), logLevel: 'error' });
      const app = createApp(rt, { config: rt.config, apiKeys: [] });
      const server = await serve((req, conn) => app.fetch(req, conn), { host: '127.0.0.1', port: 0, log: rt.log, shutdownGraceMs: 500 });
      url = server.url;
      stop = () => server.close();
    }, 60_000);
    afterAll(async () => {
      await stop?.();
      await rt?.close();
      await stopMocks(mocks);
      if (sb) rmSync(sb.home, { recursive: true, force: true });
    });

    it('the agent calls get_weather, the client answers, the model sees the result', async () => {
      const client = new OpenAI({ apiKey: 'unused', baseURL: `${url}/openai/v1`, maxRetries: 0 });
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather please. CALL_TOOL:get_weather {"city":"Paris"}' }];
      const first = await client.chat.completions.create({ model: backend, messages, tools: TOOLS });
      expect(first.choices[0]!.finish_reason).toBe('tool_calls');
      const [call] = first.choices[0]!.message.tool_calls ?? [];
      expect(call).toMatchObject({ type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });
      messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: call!.id, content: 'RESULT-21C-SUNNY' });
      const second = await client.chat.completions.create({ model: backend, messages, tools: TOOLS });
      expect(second.choices[0]!.finish_reason).toBe('stop');
      expect(second.choices[0]!.message.content).toMatch(/ran/);
      const mock = { claude: mocks.anthropic, codex: mocks.responses, gemini: mocks.gemini }[backend];
      expect(JSON.stringify(mock.requests.at(-1))).toContain('RESULT-21C-SUNNY');
    }, 120_000);
  });
}
