// The runners the edge forwards to, parsed from RUNNER_URL. Each runner has a stable name that the edge
// writes into the ids it hands out (`<name>-<runner's id>`), so reordering or adding runners never sends a
// session to the wrong machine. Pure: runs in workerd and in the Durable Object alike.
import { ClinvkError } from './contract.ts';

export interface RunnerSpec {
  /** Stable name: letters, digits and `_` (no `-`: it separates the name from the runner's own id). */
  name: string;
  /** Base URL, without a trailing slash. */
  url: string;
}

const NAME = /^[A-Za-z0-9_]{1,32}$/;

/** The name a bare URL gets (RUNNER_URL's older form): the tag ids already carried, so they keep working. */
export const runnerTag = (url: string): string => {
  let h = 2166136261;
  for (const ch of url) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return (h >>> 0).toString(16).padStart(8, '0');
};

const bad = (message: string) => new ClinvkError('CONFIG_INVALID', `RUNNER_URL is invalid: ${message}`, { hint: 'write RUNNER_URL as name=url pairs, e.g. a=https://runner-a.example,b=https://runner-b.example' });

function parseUrl(text: string, name: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad(`runner "${name}" has no valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw bad(`runner "${name}" must use http or https`);
  return text.replace(/\/+$/, '');
}

/**
 * `a=https://a.example,b=https://b.example` → named runners. A bare URL (`https://a.example`, the older
 * form) is still accepted and named by its tag. Throws CONFIG_INVALID naming the problem.
 */
export function parseRunnerList(text: string | undefined): RunnerSpec[] {
  const entries = (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) throw bad('no runner is set: name at least one `clinvk serve`, e.g. a=https://runner-a.example');
  const runners = entries.map((entry): RunnerSpec => {
    const eq = entry.indexOf('=');
    // `name=url`: the name comes before the first `=` and has no `:` (a URL's query may hold `=`).
    if (eq > 0 && !entry.slice(0, eq).includes(':')) {
      const name = entry.slice(0, eq).trim();
      if (!NAME.test(name)) throw bad(`runner name "${name}" must be 1-32 letters, digits or _`);
      return { name, url: parseUrl(entry.slice(eq + 1).trim(), name) };
    }
    const url = parseUrl(entry, entry);
    return { name: runnerTag(url), url };
  });
  const seen = new Set<string>();
  for (const r of runners) {
    if (seen.has(r.name)) throw bad(`runner name "${r.name}" is used twice`);
    seen.add(r.name);
  }
  return runners;
}

/** `<name>-<runner's id>` → its parts, when the name is one of ours; otherwise the id as given. */
export function splitRunnerId(id: string, names: readonly string[]): { runner?: string; id: string } {
  const dash = id.indexOf('-');
  if (dash > 0 && names.includes(id.slice(0, dash))) return { runner: id.slice(0, dash), id: id.slice(dash + 1) };
  return { id };
}

export const joinRunnerId = (runner: string, id: string): string => `${runner}-${id}`;
