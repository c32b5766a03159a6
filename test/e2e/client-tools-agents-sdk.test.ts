// An agent framework on clinvk: the OpenAI Agents SDK for JS (@openai/agents) runs its agent loop on a
// fake claude through /openai/v1/chat/completions. The task needs the agent's tool: the SDK must see the
// tool call, run its own function, send the result back, and get the agent's final answer.
import { Agent, OpenAIChatCompletionsModel, Runner, tool } from '@openai/agents';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startToolRunner, type ToolRunner } from './client-tools-runner.ts';

let server: ToolRunner;
beforeAll(async () => {
  server = await startToolRunner();
}, 60_000);
afterAll(async () => {
  await server?.close();
});

describe('OpenAI Agents SDK (JS) on clinvk', () => {
  it('completes a task that needs its tool (chat completions model, the openai client pointed at clinvk)', async () => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${server.url}/openai/v1`, maxRetries: 0 });
    const asked: string[] = [];
    const getWeather = tool({
      name: 'get_weather',
      description: 'The weather in a city',
      parameters: z.object({ city: z.string() }),
      execute: async ({ city }) => {
        asked.push(city);
        return `18C and windy in ${city}`;
      },
    });
    const agent = new Agent({
      name: 'Forecaster',
      instructions: 'Answer weather questions with the get_weather tool.',
      model: new OpenAIChatCompletionsModel(client, 'claude'),
      tools: [getWeather],
    });
    // No tracing: it would try to export spans to api.openai.com.
    const runner = new Runner({ tracingDisabled: true });
    const result = await runner.run(agent, 'What is the weather in Oslo? [[fake:call get_weather {"city":"Oslo"}]]');
    expect(asked).toEqual(['Oslo']);
    expect(result.finalOutput).toBe('Fake claude used its tools: get_weather said: 18C and windy in Oslo');
  }, 60_000);
});
