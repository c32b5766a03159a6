// CLI start-up: what `clinvk -b claude hi` adds over running the fake claude directly, and
// `clinvk --version`, both against a bare `node -e 0` measured in the same run. The target row runs
// with --ephemeral: it is the engine's own overhead (issue 2), the session write has its own figures
// (bench/sessions.ts); the row after it shows the same run with its session recorded.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLINVK, FAKES, interleavedMedians, round, timeRun, type Row } from './measure.ts';

export async function rows(): Promise<Row[]> {
  const home = mkdtempSync(join(tmpdir(), 'bench-cli-'));
  const env = { ...process.env, HOME: home, CLINVK_HOME: home, PATH: `${FAKES}:${process.env.PATH}`, FAKE_CHUNK_DELAY_MS: '0', FAKE_CHUNKS: '1' };
  const node = process.execPath;
  try {
    const m = await interleavedMedians(
      {
        node: () => timeRun(node, ['-e', '0'], env),
        fake: () => timeRun(join(FAKES, 'claude'), ['-p', '--output-format', 'stream-json', '--verbose', '--include-partial-messages', '--', 'hi'], env),
        clinvk: () => timeRun(node, [CLINVK, '-b', 'claude', '--ephemeral', '-o', 'json', 'hi'], env),
        recorded: () => timeRun(node, [CLINVK, '-b', 'claude', '-o', 'json', 'hi'], env),
        version: () => timeRun(node, [CLINVK, '--version'], env),
      },
      21,
    );
    const added = m.clinvk! - m.fake!;
    const recorded = m.recorded! - m.fake!;
    return [
      { name: 'node -e 0 (reference)', value: round(m.node!), unit: 'ms' },
      { name: 'fake claude run directly', value: round(m.fake!), unit: 'ms' },
      { name: 'clinvk -b claude hi: added time', value: round(added), unit: 'ms' },
      { name: 'clinvk -b claude hi: added / node -e 0', value: round(added / m.node!), unit: '×', limit: '≤ 1.3', ok: added / m.node! <= 1.3 },
      { name: 'the same with its session recorded: added / node -e 0', value: round(recorded / m.node!), unit: '×' },
      { name: 'clinvk --version', value: round(m.version!), unit: 'ms' },
      { name: 'clinvk --version / node -e 0', value: round(m.version! / m.node!), unit: '×', limit: '≤ 1.3', ok: m.version! / m.node! <= 1.3 },
    ];
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
