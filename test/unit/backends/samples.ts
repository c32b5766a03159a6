// Feeds a recorded real CLI output (test/fixtures/samples/) through a parser, line by line.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BackendEvent, OutputParser } from '../../../runtime/backends/types.ts';

const dir = fileURLToPath(new URL('../../fixtures/samples/', import.meta.url));

export const sample = (path: string): string => readFileSync(dir + path, 'utf8');

export function feed(parser: OutputParser, stdout: string, exit: { code: number | null; stderr?: string } = { code: 0 }): BackendEvent[] {
  const events: BackendEvent[] = [];
  // Split like a line reader would: the last piece may lack its newline (gemini json has none).
  for (const line of stdout.split('\n')) events.push(...parser.line(line));
  events.push(...parser.end({ code: exit.code, stderr: exit.stderr ?? '' }));
  return events;
}

export const feedSample = (parser: OutputParser, path: string, exit?: { code: number | null; stderr?: string }): BackendEvent[] =>
  feed(parser, sample(path), exit);

export const kinds = (events: BackendEvent[]): string[] => events.map((e) => e.kind);
