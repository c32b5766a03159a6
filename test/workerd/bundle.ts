// The Worker bundle (handlers/worker.ts) for miniflare, and a Miniflare with the EdgeState Durable Object.
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

export async function bundleWorker(): Promise<string> {
  const out = await build({
    entryPoints: ['handlers/worker.ts'],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/** A Worker as wrangler.toml declares it: CLINVK_STATE bound to EdgeState, its storage in `persistDir`. */
export function edgeWorker(script: string, persistDir: string, bindings: Record<string, string>): Miniflare {
  return new Miniflare({
    modules: true,
    script,
    compatibilityDate: '2026-04-01',
    compatibilityFlags: ['enable_request_signal'],
    cf: false,
    bindings,
    durableObjects: { CLINVK_STATE: { className: 'EdgeState', useSQLite: true } },
    durableObjectsPersist: persistDir,
  });
}
