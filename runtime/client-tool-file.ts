// A backend that reads its MCP servers only from its settings (gemini): the engine has a per-run copy of
// the CLI's home made (the user's settings plus the run's server; runtime/node/home-overlay.ts) and points
// the argv (and its env) at it; removed when the run ends.
import { ClinvkError } from './contract.ts';
import type { PlanInternal } from './engine-plan.ts';
import type { TempFile, TempFiles } from './structured/schema-file.ts';

export async function clientToolHomeFor(
  plan: PlanInternal,
  files: TempFiles | undefined,
  env: Record<string, string | undefined>,
  schemaFile: TempFile | undefined,
): Promise<(TempFile & { warnings: string[] }) | undefined> {
  const server = plan.argvRequest.clientTools;
  const spec = plan.adapter.clientToolsHome;
  if (!server || !spec) return undefined;
  if (!files?.homeOverlay) throw new ClinvkError('INVALID_INPUT', `${plan.adapter.displayName} takes the caller's tools only through its settings, and this clinvk has no place to write them`);
  const home = await files.homeOverlay({ home: spec.home(env), dirName: spec.dirName, settingsFile: spec.settingsFile, settings: spec.settings(server) });
  // Rebuilt from the plan's request (a live agent's key stays as it was), with the schema file kept if there is one.
  const built = plan.adapter.buildArgs({ ...plan.argvRequest, clientToolsHome: home.path, ...(schemaFile ? { outputSchemaFile: schemaFile.path } : {}) });
  plan.args = built.args;
  plan.env = built.env ?? {};
  return home;
}
