// `clinvk sessions list` with 10,000 sessions against a bare `node -e 0`, and the cost of one write.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyUsage, type Session } from '../runtime/contract.ts';
import { createSessionStore, formatIndex } from '../runtime/node/sessions.ts';
import { sessionToJson } from '../runtime/wire.ts';
import { CLINVK, interleavedMedians, median, round, timeRun, type Row } from './measure.ts';

const COUNT = 10_000;

/** Writes COUNT sessions straight to disk (the store would rewrite its index 10,000 times). */
function seed(dir: string) {
  mkdirSync(dir, { recursive: true });
  const now = Date.now();
  const entries = [];
  for (let i = 0; i < COUNT; i++) {
    const at = new Date(now - i * 60_000).toISOString();
    const s: Session = {
      id: i.toString(16).padStart(16, '0'), backend: ['claude', 'codex', 'gemini'][i % 3]!, createdAt: at, lastUsed: at, workingDir: '/work/project',
      initialPrompt: `prompt number ${i}`, status: 'completed', turnCount: 1, tokenUsage: { ...emptyUsage(), inputTokens: 1200, outputTokens: 30 },
      tags: [], title: `prompt number ${i}`, metadata: {}, backendSessionId: `native-${i}`,
    };
    writeFileSync(join(dir, `${s.id}.json`), JSON.stringify(sessionToJson(s)));
    entries.push(sessionToJson(s));
  }
  writeFileSync(join(dir, 'index.json'), formatIndex(entries));
}

export async function rows(): Promise<Row[]> {
  const home = mkdtempSync(join(tmpdir(), 'bench-sessions-'));
  try {
    seed(join(home, 'sessions'));
    const env = { ...process.env, HOME: home, CLINVK_HOME: home };
    const m = await interleavedMedians(
      {
        node: () => timeRun(process.execPath, ['-e', '0'], env),
        list: () => timeRun(process.execPath, [CLINVK, 'sessions', 'list'], env),
      },
      11,
    );
    const store = createSessionStore({ dir: join(home, 'sessions') });
    const writes: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await store.create({ backend: 'claude', workingDir: '/tmp', initialPrompt: 'bench' });
      writes.push(performance.now() - t);
    }
    return [
      { name: `sessions list, ${COUNT} sessions (whole CLI)`, value: round(m.list!), unit: 'ms' },
      { name: 'sessions list / node -e 0', value: round(m.list! / m.node!), unit: '×', limit: '≤ 1.5', ok: m.list! / m.node! <= 1.5 },
      { name: `one session write at ${COUNT} sessions`, value: round(median(writes)), unit: 'ms' },
    ];
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
