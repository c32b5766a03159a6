// GET /api/v1/backends: which backends exist, are enabled and found on PATH, and why not.
import type { BackendInfo, Runtime } from '../../runtime/contract.ts';

export const backendToJson = (b: BackendInfo) => ({
  name: b.name,
  available: b.available,
  enabled: b.enabled,
  version: b.version,
  default_model: b.defaultModel,
  reason: b.reason,
  warm: b.warm,
});

export async function listBackends(runtime: Pick<Runtime, 'backends'>): Promise<Response> {
  return Response.json({ backends: (await runtime.backends()).map(backendToJson) });
}
