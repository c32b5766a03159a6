// backends(): which backends exist, are enabled, are found on PATH (and their version), and which run warm.
import type { BackendInfo } from './contract.ts';
import { backendConfig } from './config-defaults.ts';
import type { BackendAdapter } from './backends/types.ts';
import { notFound } from './engine-plan.ts';
import type { EngineDeps } from './engine.ts';

const compact = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export async function listBackends(deps: EngineDeps, adapters: Record<string, BackendAdapter>): Promise<BackendInfo[]> {
  return Promise.all(
    Object.values(adapters).map(async (a): Promise<BackendInfo> => {
      const bc = backendConfig(deps.config, a.name);
      const command = bc.command ?? a.binary;
      const path = await deps.which(command);
      const available = bc.enabled && path !== undefined;
      const version = available && deps.version ? await deps.version(path, a.versionArgs).catch(() => undefined) : undefined;
      const reason = !bc.enabled
        ? `disabled in the config (backends.${a.name}.enabled: false)`
        : path === undefined
          ? `${notFound(a.name, command)}. ${a.installHint}`
          : undefined;
      const warm = a.warm !== undefined && deps.warm?.accepts(a.name) === true ? true : undefined;
      return compact({ name: a.name, available, enabled: bc.enabled, command, path, version, defaultModel: bc.model, reason, warm });
    }),
  );
}
