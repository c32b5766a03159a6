// Attachments on live agents: a claude turn carries its images as image blocks of the turn's user line,
// a codex app-server turn as localImage input items (files as paths), on the same live process as the
// session's other turns. What a live agent cannot take (claude files, anything for gemini's ACP) runs
// that turn cold. The run's folder is gone after each turn either way.
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeRuntime } from '../../runtime/node/index.ts';
import { fakeLog, runAll, turnPids, warmEnv, warmRuntime, type WarmEnv } from './warm-helpers.ts';
import { PDF, PNG, PNG_B64, sha256 } from '../fixtures/attachments.ts';

let rt: NodeRuntime | undefined;
afterEach(async () => {
  await rt?.close();
  rt = undefined;
});

function setup(): WarmEnv {
  const w = warmEnv();
  const tmp = join(w.home, 'tmp');
  mkdirSync(tmp);
  w.env.TMPDIR = tmp;
  return w;
}
const folders = (w: WarmEnv) => readdirSync(w.env.TMPDIR!).filter((d) => d.startsWith('clinvk-attach-'));
const seen = (w: WarmEnv) => fakeLog(w).filter((l) => l.phase === 'attachments') as unknown as { attachments: { from: string; sha256: string }[] }[];
const image = { name: 'a.png', mediaType: 'image/png', data: PNG_B64 };
const pdf = { name: 'r.pdf', mediaType: 'application/pdf', data: PDF.toString('base64') };

describe('attachments on live agents', () => {
  it('claude: two turns with images on one live process; a turn with a file runs cold', async () => {
    const w = setup();
    rt = await warmRuntime(w);
    const first = await runAll(rt, { backend: 'claude', prompt: 'one', workdir: w.home, attachments: [image] });
    expect(first.result.error).toBeUndefined();
    const second = await runAll(rt, { backend: 'claude', prompt: 'two', sessionId: first.result.sessionId!, attachments: [image] });
    expect(second.result.output).toContain(`sha256=${sha256(PNG)}`);
    const pids = turnPids(w);
    expect(pids).toHaveLength(2);
    expect(pids[0]).toBe(pids[1]);
    expect(seen(w).map((s) => s.attachments[0]!.sha256)).toEqual([sha256(PNG), sha256(PNG)]);
    expect(folders(w)).toEqual([]);
    const starts = fakeLog(w).filter((l) => l.phase === 'start').length;
    const third = await runAll(rt, { backend: 'claude', prompt: 'three', sessionId: first.result.sessionId!, attachments: [pdf] });
    expect(third.result.error).toBeUndefined();
    const cold = fakeLog(w).filter((l) => l.phase === 'start').slice(starts);
    expect(cold).toHaveLength(1);
    expect(cold[0]!.argv).toContain('--add-dir');
    expect(folders(w)).toEqual([]);
  });

  it('codex app-server: images as localImage items, the PDF as a path in the text', async () => {
    const w = setup();
    rt = await warmRuntime(w);
    const r = await runAll(rt, { backend: 'codex', prompt: 'look', workdir: w.home, attachments: [image, pdf] });
    expect(r.result.error).toBeUndefined();
    expect(fakeLog(w).some((l) => l.phase === 'start' && l.argv[0] === 'app-server')).toBe(true);
    expect(seen(w)[0]!.attachments).toEqual([expect.objectContaining({ from: 'localImage', sha256: sha256(PNG) })]);
    expect(r.result.output).toMatch(/Attached files \(read them from these paths\):\n- .*\/r\.pdf/);
    expect(folders(w)).toEqual([]);
  });

  it('gemini: a turn with attachments runs cold (@path refs), not on the ACP agent', async () => {
    const w = setup();
    rt = await warmRuntime(w);
    const r = await runAll(rt, { backend: 'gemini', prompt: 'look', workdir: w.home, attachments: [image] });
    expect(r.result.error).toBeUndefined();
    expect(fakeLog(w).filter((l) => l.phase === 'start').map((l) => l.argv.includes('--acp'))).toEqual([false]);
    expect(seen(w)[0]!.attachments[0]).toMatchObject({ from: 'ref', sha256: sha256(PNG) });
  });
});
