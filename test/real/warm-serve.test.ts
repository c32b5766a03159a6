// The real CLIs through the pool and the engine, not only through the codec driver: a 3-turn OpenAI chat
// through `clinvk serve` on each real backend, against the loopback model mocks. Each turn must be served
// by the same live process (/health's warm section after each turn: one agent of that backend, the same
// pid, its turn count 1, 2, 3, bound to the chat's session), and turn 3 must see the earlier turns (the mocks number their answer by the user turns in the
// conversation they were sent, and echo the newest one's ECHO: word).
// Skips with one line per missing CLI (harness.ts).
import { describe, expect, it } from 'vitest';
import { CLI_NAMES, type CliName, realSandbox, skipUnless } from './harness.ts';

const API = { claude: 'anthropic', codex: 'responses', gemini: 'gemini' } as const;

type Agent = { pid: number; backend: string; state: string; spare: boolean; session_id?: string; turns: number; rss_bytes?: number };
type Health = { warm?: { enabled: boolean; agents: Agent[]; rss_bytes: number } };

describe('real CLIs on warm agents through clinvk serve', () => {
  const ctx = realSandbox({});
  const agentsOf = async (backend: CliName) => ((await (await fetch(`${ctx.srv.url}/health`)).json()) as Health).warm?.agents.filter((a) => a.backend === backend) ?? [];

  for (const backend of CLI_NAMES) {
    // One backend at a time: gemini alone takes seconds to start, more on a busy machine.
    (skipUnless(backend) ? it.skip : it)(`${backend}: a 3-turn OpenAI chat, one live process, turn 3 sees turns 1 and 2`, async () => {
      const messages: { role: string; content: string }[] = [{ role: 'user', content: `Hi ECHO:${backend}1` }];
      const answers: string[] = [];
      const pids: number[] = [];
      const sessions: string[] = [];
      for (let turn = 1; turn <= 3; turn++) {
        const res = await fetch(`${ctx.srv.url}/openai/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: backend, messages }),
        });
        const body = (await res.json()) as { choices: { message: { content: string } }[] };
        expect(res.status, JSON.stringify(body)).toBe(200);
        answers.push(body.choices[0]!.message.content);
        const agents = await agentsOf(backend);
        expect(agents, JSON.stringify(agents)).toHaveLength(1);
        expect(agents[0]).toMatchObject({ state: 'idle', spare: false, turns: turn, session_id: expect.any(String) });
        pids.push(agents[0]!.pid);
        sessions.push(agents[0]!.session_id!);
        messages.push({ role: 'assistant', content: answers.at(-1)! }, { role: 'user', content: `More ECHO:${backend}${turn + 1}` });
      }
      expect(answers).toEqual([1, 2, 3].map((n) => `Hello from mock ${API[backend]}, turn ${n}. You said ${backend}${n}.`));
      expect(new Set(pids).size).toBe(1);
      expect(new Set(sessions).size).toBe(1);
      const [agent] = await agentsOf(backend);
      expect(agent!.rss_bytes).toBeGreaterThan(20 * 1024 * 1024);
    }, 300_000);
  }
});
