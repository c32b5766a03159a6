// Task and step files for `parallel` and `chain` (JSON or YAML, from a file or stdin), validated up
// front with the REST schemas: a bad file names the file, the task and the problem; nothing starts.
import { z } from 'zod';
import { chainRequestSchema, parallelRequestSchema, toInvocation } from '../handlers/schemas/requests.ts';
import { ClinvkError } from '../runtime/contract.ts';
import type { Task } from '../runtime/orchestrate.ts';
import { jsonSchemaArg } from './json-schema-arg.ts';

async function parseText(text: string, source: string): Promise<unknown> {
  const trimmed = text.trim();
  if (!trimmed) throw new ClinvkError('INVALID_INPUT', `${source}: empty (expected JSON or YAML)`);
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    try {
      const { parseYaml } = await import('../runtime/node/yaml.ts');
      return parseYaml(trimmed) as unknown;
    } catch (err) {
      throw new ClinvkError('INVALID_INPUT', `${source}: neither JSON nor YAML (${(err as Error).message.split('\n')[0]})`);
    }
  }
}

function problem(source: string, list: 'task' | 'step', issue: z.core.$ZodIssue): ClinvkError {
  const [head, index, ...rest] = issue.path;
  const where = (head === 'tasks' || head === 'steps') && typeof index === 'number' ? `${list} ${index + 1}${rest.length ? `: ${rest.join('.')}` : ''}` : issue.path.join('.') || 'file';
  const message = issue.code === 'invalid_type' && issue.message.includes('undefined') ? 'is required' : issue.message;
  return new ClinvkError('INVALID_INPUT', `${source}: ${where}: ${message}`);
}

function checkBackends(source: string, list: 'task' | 'step', tasks: { backend?: string | undefined }[], known: readonly string[]) {
  tasks.forEach((t, i) => {
    if (t.backend && !known.includes(t.backend)) throw new ClinvkError('INVALID_INPUT', `${source}: ${list} ${i + 1}: unknown backend "${t.backend}" (choose one of: ${known.join(', ')})`);
  });
}

const asTasks = (items: z.infer<typeof parallelRequestSchema>['tasks'], defaultBackend: string): Task[] =>
  items.map((t) => ({ ...toInvocation(t, defaultBackend), ...(t.name ? { name: t.name } : {}) }));

/** A task's `output_schema` may be a file name or JSON text, as `--json-schema` takes it (object form: as in REST). */
function schemaFiles(items: unknown, source: string, list: 'task' | 'step'): void {
  if (!Array.isArray(items)) return;
  items.forEach((t: unknown, i) => {
    const o = t as { output_schema?: unknown } | null;
    if (o && typeof o === 'object' && typeof o.output_schema === 'string') o.output_schema = jsonSchemaArg(o.output_schema, `${source}: ${list} ${i + 1}: output_schema`);
  });
}

export async function parseParallelFile(text: string, source: string, known: readonly string[], defaultBackend: string) {
  const raw = await parseText(text, source);
  const body = Array.isArray(raw) ? { tasks: raw } : raw;
  schemaFiles((body as { tasks?: unknown })?.tasks, source, 'task');
  const parsed = parallelRequestSchema.safeParse(body);
  if (!parsed.success) throw problem(source, 'task', parsed.error.issues[0]!);
  checkBackends(source, 'task', parsed.data.tasks, known);
  return { ...parsed.data, tasks: asTasks(parsed.data.tasks, defaultBackend) };
}

export async function parseChainFile(text: string, source: string, known: readonly string[], defaultBackend: string) {
  const raw = await parseText(text, source);
  const body = Array.isArray(raw) ? { steps: raw } : raw;
  schemaFiles((body as { steps?: unknown })?.steps, source, 'step');
  const parsed = chainRequestSchema.safeParse(body);
  if (!parsed.success) throw problem(source, 'step', parsed.error.issues[0]!);
  checkBackends(source, 'step', parsed.data.steps, known);
  return { ...parsed.data, steps: asTasks(parsed.data.steps, defaultBackend) };
}
