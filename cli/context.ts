// What every CLI command shares: turning errors into one clear line and an exit code, Ctrl-C
// handling, and reading a prompt from stdin.
import type { Readable, Writable } from 'node:stream';
import { isClinvkError } from '../runtime/contract.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';

/** Prints `clinvk: <message>` (+ `hint: …`) and returns the exit code. Stacks only with CLINVK_DEBUG=1. */
export function reportError(err: unknown, stderr: Writable): number {
  if (isClinvkError(err)) {
    stderr.write(`clinvk: ${err.message}\n`);
    if (err.detail) stderr.write(`detail: ${err.detail}\n`); // paths: fine for the local user, never sent by the servers
    if (err.hint) stderr.write(`hint: ${err.hint}\n`);
    return exitCodeFor(err.code);
  }
  const message = err instanceof Error ? err.message : String(err);
  stderr.write(`clinvk: ${message}\n`);
  if (process.env.CLINVK_DEBUG === '1' && err instanceof Error && err.stack) stderr.write(`${err.stack}\n`);
  return EXIT.general;
}

/**
 * Runs `fn` with a signal that the first Ctrl-C (or SIGTERM) aborts, so runs and their whole process
 * trees are killed; a second Ctrl-C exits at once.
 */
export async function interruptible<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<{ value: T; interrupted: boolean }> {
  const controller = new AbortController();
  let count = 0;
  const onSignal = () => {
    count++;
    if (count === 1) controller.abort(new Error('interrupted'));
    else process.exit(EXIT.cancelled);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const value = await fn(controller.signal);
    return { value, interrupted: controller.signal.aborted };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `interruptible` for a command's exit code: an interrupted run exits 7. */
export async function withInterrupt(fn: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const { value, interrupted } = await interruptible(fn);
  return interrupted ? EXIT.cancelled : value;
}

export async function readAll(stream: Readable): Promise<string> {
  let data = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) data += chunk as string;
  return data;
}

/** The prompt from the words given, or from stdin when it is `-` or when nothing was given and stdin is piped. */
export async function promptFrom(words: string[], stdin: Readable & { isTTY?: boolean }): Promise<string | undefined> {
  if (words.length === 1 && words[0] === '-') return (await readAll(stdin)).trim();
  if (words.length > 0) return words.join(' ');
  if (!stdin.isTTY) {
    const piped = (await readAll(stdin)).trim();
    return piped || undefined;
  }
  return undefined;
}

export const isTty = (s: unknown): boolean => !!(s as { isTTY?: boolean }).isTTY;
