// `clinvk mcp` on stdio keeps live agents for as long as its client stays: a session_id continue reaches
// the same fake claude process, and closing the client's stdin ends every agent's process group.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { alive } from '../fixtures/proc.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/clinvk.cjs');
const FAKES = join(ROOT, 'test/fixtures/fake-clis');

describe('clinvk mcp over warm agents', () => {
  it('continues a session on one live process, and leaves nothing when the client goes', async () => {
    if (!existsSync(CLI)) throw new Error('dist/clinvk.cjs is missing: run `npm run build` first');
    const home = mkdtempSync(join(tmpdir(), 'clinvk-warm-mcp-'));
    const log = join(home, 'fake.log');
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp'],
      cwd: home,
      env: { PATH: `${FAKES}:${process.env.PATH ?? ''}`, HOME: home, CLINVK_HOME: join(home, '.clinvk'), FAKE_LOG: log, FAKE_CHUNK_DELAY_MS: '0' },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'warm-e2e', version: '0' });
    await client.connect(transport);
    const a = (await client.callTool({ name: 'clinvk_prompt', arguments: { backend: 'claude', prompt: 'one' } })) as CallToolResult;
    const sid = (a.structuredContent as { session_id: string }).session_id;
    const b = (await client.callTool({ name: 'clinvk_prompt', arguments: { prompt: 'two', session_id: sid } })) as CallToolResult;
    expect(b.content[0]).toEqual({ type: 'text', text: 'Hello from fake claude (turn 2): two' });
    const entries = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { phase: string; pid: number });
    const turns = entries.filter((e) => e.phase === 'turn').map((e) => e.pid);
    expect(turns).toHaveLength(2);
    expect(new Set(turns).size).toBe(1);
    expect(alive(turns[0]!)).toBe(true);
    await client.close();
    const deadline = Date.now() + 10_000;
    while (alive(turns[0]!) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(alive(turns[0]!)).toBe(false);
  });
});
