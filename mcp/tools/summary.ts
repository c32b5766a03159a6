// Readable text for compare / chain / parallel results: a headline, then each run's answer under
// its own header, so an agent that only reads text content still sees every answer and failure.
import type { z } from 'zod';
import type { chainOutput, compareOutput, parallelOutput } from './output-schemas.ts';
import { seconds } from './common.ts';

type Item = z.infer<typeof compareOutput>['results'][number];

export const failed = (r: Item) => (r.exit_code ?? 0) !== 0 || (r.error !== undefined && r.error !== null);

const errorText = (e: Item['error']) => (e === undefined || e === null ? '' : typeof e === 'string' ? e : `${e.code}: ${e.message}${e.hint ? ` (${e.hint})` : ''}`);

function block(header: string, r: Item): string {
  const meta = [r.model ? `model ${r.model}` : '', failed(r) ? `FAILED exit ${r.exit_code ?? '?'}` : 'ok', r.duration_ms !== undefined ? seconds(r.duration_ms) : '', r.session_id ? `session_id ${r.session_id}` : '']
    .filter(Boolean)
    .join(' · ');
  const body = [failed(r) ? errorText(r.error) : '', r.output ?? ''].filter(Boolean).join('\n') || '(no output)';
  return `=== ${header} · ${meta} ===\n${body}`;
}

const label = (r: Item, fallback: string) => [r.name, r.backend].filter(Boolean).join(' / ') || fallback;

export function compareText(j: z.infer<typeof compareOutput>): string {
  const bad = j.results.filter(failed).length;
  const head = `Compared ${j.results.length} backend(s) in ${seconds(j.total_duration_ms)}: ${j.results.length - bad} ok, ${bad} failed.`;
  return [head, ...j.results.map((r, i) => block(label(r, `#${i + 1}`), r))].join('\n\n');
}

export function chainText(j: z.infer<typeof chainOutput>): string {
  const stopped = j.failed_step != null ? ` Stopped: step ${j.failed_step} failed.` : '';
  const head = `Chain: ${j.completed_steps} of ${j.total_steps} step(s) completed in ${seconds(j.total_duration_ms)}.${stopped}`;
  return [head, ...j.results.map((r, i) => block(`step ${(r as { step?: number }).step ?? i + 1}: ${label(r, '')}`, r))].join('\n\n');
}

export function parallelText(j: z.infer<typeof parallelOutput>): string {
  const head = `Parallel: ${j.total_tasks} task(s), ${j.completed} completed, ${j.failed} failed, ${seconds(j.total_duration_ms)} in total.`;
  return [head, ...j.results.map((r, i) => block(`task ${i + 1}: ${label(r, '')}`, r))].join('\n\n');
}
