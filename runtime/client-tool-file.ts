// A backend that reads its MCP servers only from a file (gemini's settings): the engine writes the run's
// file to a private temp folder and points the argv (and its env) at it; removed when the run ends.
import { ClinvkError } from './contract.ts';
import type { PlanInternal } from './engine-plan.ts';
import type { TempFile, TempFiles } from './structured/schema-file.ts';

export async function clientToolFileFor(plan: PlanInternal, files: TempFiles | undefined, schemaFile: TempFile | undefined): Promise<TempFile | undefined> {
  const server = plan.argvRequest.clientTools;
  if (!server || !plan.adapter.clientToolsFile) return undefined;
  if (!files) throw new ClinvkError('INVALID_INPUT', `${plan.adapter.displayName} takes the caller's tools only as a settings file, and this clinvk has no place to write one`);
  const { name, content } = plan.adapter.clientToolsFile(server);
  const file = await files.write(name, content);
  // Rebuilt from the plan's request (a live agent's key stays as it was), with the schema file kept if there is one.
  const built = plan.adapter.buildArgs({ ...plan.argvRequest, clientToolsFile: file.path, ...(schemaFile ? { outputSchemaFile: schemaFile.path } : {}) });
  plan.args = built.args;
  plan.env = built.env ?? {};
  return file;
}
