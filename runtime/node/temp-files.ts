// Private temp files for one run (codex --output-schema FILE): each in its own 0700 folder under the
// OS temp dir, the file 0600, removed with its folder when the run ends.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TempFiles } from '../structured/schema-file.ts';
import { homeOverlay } from './home-overlay.ts';

export function createTempFiles(base: () => string = tmpdir): TempFiles {
  return {
    async write(name, content) {
      const dir = await mkdtemp(join(base(), 'clinvk-run-'));
      const path = join(dir, name);
      await writeFile(path, content, { mode: 0o600 });
      return { path, remove: () => rm(dir, { recursive: true, force: true }).catch(() => {}) };
    },
    homeOverlay: (o) => homeOverlay(o, base),
  };
}
