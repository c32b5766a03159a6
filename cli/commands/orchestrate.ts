// `clinvk parallel`, `clinvk compare`, `clinvk chain`: the shared orchestrator with live progress.
// Exit codes: 0 all ok, 1 some failed, 2 invalid input or no backend available.
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import type { Task, TaskOutcome } from '../../runtime/orchestrate.ts';
import { ClinvkError, EFFORTS, isClinvkError } from '../../runtime/contract.ts';
import { interruptible, readAll, reportError } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { ConfigCommand } from '../options.ts';
import { createProgress } from '../render/progress.ts';
import { table } from '../render/table.ts';

const category = 'Orchestration';

/** Invalid input (a bad file, no backend) is exit 2 for these commands. */
function orchestrationError(err: unknown, stderr: Writable): number {
  const code = reportError(err, stderr);
  return isClinvkError(err) && ['INVALID_INPUT', 'UNKNOWN_BACKEND', 'BACKEND_UNAVAILABLE', 'CONFIG_INVALID'].includes(err.code) ? 2 : code;
}

async function source(file: string | undefined, stdin: Readable & { isTTY?: boolean }): Promise<{ text: string; name: string }> {
  if (file && file !== '-') {
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new ClinvkError('INVALID_INPUT', `${file}: cannot read it (${err.code ?? err.message})`);
    });
    return { text, name: file };
  }
  if (stdin.isTTY && file !== '-') throw new ClinvkError('INVALID_INPUT', 'no tasks: pass -f FILE, or pipe JSON/YAML on stdin');
  return { text: await readAll(stdin), name: 'stdin' };
}

function summaryTable(outcomes: TaskOutcome[], width: number): string {
  const rows = outcomes.map((o) => [
    String(o.index + 1),
    o.name ?? '',
    o.backend,
    o.skipped ? 'skipped' : o.result.error ? 'failed' : 'ok',
    `${(o.result.durationMs / 1000).toFixed(1)}s`,
    (o.result.error && !o.skipped ? o.result.error.message : o.result.output).split('\n')[0] ?? '',
  ]);
  return table(['#', 'NAME', 'BACKEND', 'STATUS', 'TIME', 'OUTPUT'], rows, width);
}

export class ParallelCommand extends ConfigCommand {
  static override paths = [['parallel']];
  static override usage = Command.Usage({
    category,
    description: 'Run several tasks at once from a JSON or YAML file (or stdin)',
    details: 'The file holds `{"tasks": [{"backend", "prompt", "name", "model", "workdir", …}], "max_parallel", "fail_fast", "output_dir"}` or just the array of tasks.',
    examples: [
      ['From a file', '$0 parallel -f tasks.yaml'],
      ['From stdin, 5 at a time, JSON summary', 'cat tasks.json | $0 parallel --max-parallel 5 --json'],
    ],
  });
  file = Option.String('-f,--file', { description: 'Task file (JSON or YAML); `-` or none = stdin' });
  maxParallel = Option.String('--max-parallel', { description: 'Tasks at once (default: the file, else parallel.max_workers = 3)', validator: t.cascade(t.isNumber(), [t.isInteger(), t.isAtLeast(1)]) });
  failFast = Option.Boolean('--fail-fast', { description: 'Stop everything when one task fails' });
  json = Option.Boolean('--json', false, { description: 'Print the summary as JSON' });
  quiet = Option.Boolean('-q,--quiet', false, { description: 'No progress on stderr' });
  outputDir = Option.String('--output-dir', { description: 'Write summary.json and one JSON file per task here' });

  async execute(): Promise<number> {
    try {
      const { createNodeRuntime } = await import('../../runtime/node/index.ts');
      const { backendNames } = await import('../../runtime/backends/registry.ts');
      const { parseParallelFile } = await import('../task-file.ts');
      const { parallel, parallelToJson } = await import('../../runtime/orchestrate.ts');
      const input = await source(this.file, this.context.stdin);
      const rt = await createNodeRuntime({ env: process.env, cwd: process.cwd(), mode: 'cli', ...(this.config ? { configPath: this.config } : {}) });
      const spec = await parseParallelFile(input.text, input.name, backendNames(), rt.config.default_backend);
      const progress = createProgress(spec.tasks, this.context.stderr, this.quiet || this.json);
      const { value: summary, interrupted } = await interruptible((signal) =>
        parallel(rt, spec.tasks, {
          signal,
          maxParallel: this.maxParallel ?? spec.max_parallel ?? rt.config.parallel.max_workers,
          failFast: this.failFast ?? spec.fail_fast ?? rt.config.parallel.fail_fast,
          onProgress: progress.onProgress,
        }).finally(progress.stop),
      );
      const outDir = this.outputDir ?? spec.output_dir;
      if (outDir) {
        await mkdir(outDir, { recursive: true });
        await writeFile(join(outDir, 'summary.json'), JSON.stringify(parallelToJson(summary), null, 2));
        for (const r of parallelToJson(summary).results) await writeFile(join(outDir, `task-${r.index + 1}${r.name ? `-${r.name.replace(/[^\w.-]+/g, '_')}` : ''}.json`), JSON.stringify(r, null, 2));
      }
      if (this.json) this.context.stdout.write(`${JSON.stringify(parallelToJson(summary), null, 2)}\n`);
      else {
        this.context.stdout.write(summaryTable(summary.results, (this.context.stdout as { columns?: number }).columns ?? 120));
        this.context.stdout.write(`${summary.completed}/${summary.totalTasks} succeeded in ${(summary.totalDurationMs / 1000).toFixed(1)}s\n`);
      }
      return interrupted ? EXIT.cancelled : summary.failed > 0 ? 1 : 0;
    } catch (err) {
      return orchestrationError(err, this.context.stderr);
    }
  }
}

export class CompareCommand extends ConfigCommand {
  static override paths = [['compare']];
  static override usage = Command.Usage({
    category,
    description: 'Send the same prompt to several backends and show the answers side by side',
    examples: [
      ['Claude against codex', '$0 compare --backends claude,codex "which sort is stable?"'],
      ['Every installed backend, one after another', '$0 compare --all-backends --sequential "review main.go"'],
      ['The same JSON shape from each', '$0 compare --backends claude,codex --json-schema city.json "Describe a city"'],
    ],
  });
  backends = Option.String('--backends', { description: 'Comma-separated backends' });
  all = Option.Boolean('--all-backends', false, { description: 'Every available backend (unavailable ones are skipped with a warning)' });
  sequential = Option.Boolean('--sequential', false, { description: 'One backend at a time' });
  json = Option.Boolean('--json', false, { description: 'JSON output' });
  model = Option.String('-m,--model', { description: 'Model alias for every backend (fast, balanced, best)' });
  workdir = Option.String('-w,--workdir', { description: 'Working directory' });
  jsonSchema = Option.String('--json-schema', { description: 'Every backend answers with JSON matching this JSON Schema (a file, or the schema as JSON)' });
  effort = Option.String('--effort', { description: `Reasoning effort for every backend: ${EFFORTS.join(', ')} (gemini has none)`, validator: t.isEnum(EFFORTS) });
  words = Option.Rest({ name: 'prompt' });

  async execute(): Promise<number> {
    try {
      const { promptFrom } = await import('../context.ts');
      const prompt = await promptFrom(this.words, this.context.stdin);
      if (!prompt) throw new ClinvkError('INVALID_INPUT', 'no prompt: pass one (quoted) or `-` for stdin');
      const { createNodeRuntime } = await import('../../runtime/node/index.ts');
      const { compare, compareToJson } = await import('../../runtime/orchestrate.ts');
      const rt = await createNodeRuntime({ env: process.env, cwd: process.cwd(), mode: 'cli', ...(this.config ? { configPath: this.config } : {}) });
      const wanted = this.all || !this.backends ? 'all' : this.backends.split(',').map((b) => b.trim()).filter(Boolean);
      const base = {
        prompt,
        ...(this.model ? { model: this.model } : {}),
        ...(this.workdir ? { workdir: this.workdir } : {}),
        ...(this.jsonSchema !== undefined ? { outputSchema: (await import('../json-schema-arg.ts')).jsonSchemaArg(this.jsonSchema) } : {}),
        ...(this.effort ? { effort: this.effort } : {}),
      };
      const names = wanted === 'all' ? (await rt.backends()).map((b) => ({ backend: b.name })) : wanted.map((backend) => ({ backend }));
      const progress = createProgress(names, this.context.stderr, this.json);
      const { value: summary, interrupted } = await interruptible((signal) =>
        compare(rt, base, wanted, { signal, sequential: this.sequential, onProgress: progress.onProgress }).finally(progress.stop),
      );
      if (this.json) this.context.stdout.write(`${JSON.stringify(compareToJson(summary), null, 2)}\n`);
      else {
        for (const o of summary.results) {
          this.context.stdout.write(`\n=== ${o.backend}${o.result.model ? ` (${o.result.model})` : ''} — ${(o.result.durationMs / 1000).toFixed(1)}s${o.result.error ? ' — FAILED' : ''}\n`);
          this.context.stdout.write(`${o.result.error ? o.result.error.message : o.result.output}\n`);
        }
        this.context.stdout.write(`\n${summaryTable(summary.results, (this.context.stdout as { columns?: number }).columns ?? 120)}`);
      }
      return interrupted ? EXIT.cancelled : summary.results.some((r) => r.result.error) ? 1 : 0;
    } catch (err) {
      return orchestrationError(err, this.context.stderr);
    }
  }
}

export class ChainCommand extends ConfigCommand {
  static override paths = [['chain']];
  static override usage = Command.Usage({
    category,
    description: 'Run steps in order; {{previous}} is the previous step\'s output, {{step.NAME}} a named step\'s',
    details: 'The file holds `{"steps": [{"name", "backend", "prompt", …}], "stop_on_failure", "pass_working_dir"}` or just the array of steps. A failing step stops the chain unless stop_on_failure is false.',
    examples: [['From a file', '$0 chain -f review.yaml'], ['JSON summary', '$0 chain -f steps.json --json']],
  });
  file = Option.String('-f,--file', { description: 'Step file (JSON or YAML); `-` or none = stdin' });
  json = Option.Boolean('--json', false, { description: 'JSON output' });
  keepGoing = Option.Boolean('--keep-going', false, { description: 'Run the remaining steps after a failure' });
  passWorkingDir = Option.Boolean('--pass-working-dir', { description: 'A step without a workdir uses the previous step\'s' });
  quiet = Option.Boolean('-q,--quiet', false, { description: 'No progress on stderr' });

  async execute(): Promise<number> {
    try {
      const { createNodeRuntime } = await import('../../runtime/node/index.ts');
      const { backendNames } = await import('../../runtime/backends/registry.ts');
      const { parseChainFile } = await import('../task-file.ts');
      const { chain, chainToJson } = await import('../../runtime/orchestrate.ts');
      const input = await source(this.file, this.context.stdin);
      const rt = await createNodeRuntime({ env: process.env, cwd: process.cwd(), mode: 'cli', ...(this.config ? { configPath: this.config } : {}) });
      const spec = await parseChainFile(input.text, input.name, backendNames(), rt.config.default_backend);
      const steps: Task[] = spec.steps;
      const progress = createProgress(steps, this.context.stderr, this.quiet || this.json);
      const { value: summary, interrupted } = await interruptible((signal) =>
        chain(rt, steps, {
          signal,
          stopOnFailure: this.keepGoing ? false : (spec.stop_on_failure ?? true),
          passWorkingDir: this.passWorkingDir ?? spec.pass_working_dir ?? false,
          onProgress: progress.onProgress,
        }).finally(progress.stop),
      );
      if (this.json) this.context.stdout.write(`${JSON.stringify(chainToJson(summary), null, 2)}\n`);
      else {
        for (const o of summary.results) {
          this.context.stdout.write(`\n=== step ${o.index + 1}${o.name ? ` ${o.name}` : ''} (${o.backend})${o.skipped ? ' — skipped' : o.result.error ? ' — FAILED' : ''}\n`);
          this.context.stdout.write(`${o.skipped ?? (o.result.error ? o.result.error.message : o.result.output)}\n`);
        }
        this.context.stdout.write(`\n${summary.completedSteps}/${summary.totalSteps} steps succeeded\n`);
      }
      return interrupted ? EXIT.cancelled : summary.failedStep !== undefined ? 1 : 0;
    } catch (err) {
      return orchestrationError(err, this.context.stderr);
    }
  }
}
