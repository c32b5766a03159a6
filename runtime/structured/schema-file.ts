// codex takes an output schema only as a file (`exec --output-schema FILE`): the engine writes it to a
// private temp file for the run and removes it when the run ends, however it ends.
import { ClinvkError } from '../contract.ts';
import type { PlanInternal } from '../engine-plan.ts';

export interface TempFile {
  path: string;
  /** Removes the file (and its private folder). Never throws. */
  remove(): Promise<void>;
}

/** The port to private temp files (runtime/node/temp-files.ts). */
export interface TempFiles {
  write(name: string, content: string): Promise<TempFile>;
  /**
   * A private folder holding `<dirName>/`: a link to each entry of `<home>/<dirName>/` except
   * `settingsFile`, which is the user's (JSON) with `settings` merged in (runtime/node/home-overlay.ts).
   * `path` is the folder (the CLI's home for the run).
   */
  homeOverlay?(o: { home: string | undefined; dirName: string; settingsFile: string; settings: Record<string, unknown> }): Promise<TempFile & { warnings: string[] }>;
}

/** In a dry run's argv, where the real run names its temp file. */
export const SCHEMA_FILE_PLACEHOLDER = '<temp>/output-schema.json';

/**
 * Writes the plan's output schema for a backend that takes it as a file, and points the argv at it.
 * The plan's argvRequest stays as it was, so a live agent's key does not change with the file's name.
 */
export async function schemaFileFor(plan: PlanInternal, files: TempFiles | undefined): Promise<TempFile | undefined> {
  const schema = plan.argvRequest.outputSchema;
  if (!schema || plan.adapter.schemaAs !== 'file') return undefined;
  if (!files) throw new ClinvkError('INVALID_INPUT', `${plan.adapter.displayName} takes an output schema only as a file, and this clinvk has no place to write one`);
  const file = await files.write('output-schema.json', JSON.stringify(schema));
  plan.args = plan.adapter.buildArgs({ ...plan.argvRequest, outputSchemaFile: file.path }).args;
  return file;
}
