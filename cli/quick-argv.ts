// The quick path: the two commands people run most, read without clipanion. Loading clipanion and
// compiling its state machine costs ~20 ms, most of what a command adds to a Node start. This reader
// accepts only a plain subset of the grammar of
//   clinvk [common flags] <prompt words>          and   clinvk sessions list|ls [flags]
// and answers `undefined` for anything else (help, another command, an unknown or repeated flag, a
// flag after the prompt, `-` for stdin, `--flag=value`, number flags but `-n`, `--extra`), which then
// goes to clipanion, so errors and help always come from one place.
// test/unit/cli/quick-argv.test.ts checks that every argv read here reads the same through clipanion.
import { APPROVAL_MODES, SANDBOX_MODES, SESSION_STATUSES } from '../runtime/contract.ts';
import { COMMAND_WORDS } from './command-words.ts';
import type { PromptFlags } from './run-flags.ts';
import type { ListFlags } from './sessions-list.ts';

export type Quick = { command: 'prompt'; flags: PromptFlags; prompt: string } | { command: 'sessions list'; flags: ListFlags };

/** A flag: the field it sets and, for a flag with a value, the values clipanion would accept. */
interface Flag {
  field: string;
  takes?: 'string' | 'count' | readonly string[];
}

const PROMPT_FLAGS: Record<string, Flag> = {
  '--config': { field: 'config', takes: 'string' },
  '-b': { field: 'backend', takes: 'string' },
  '--backend': { field: 'backend', takes: 'string' },
  '-m': { field: 'model', takes: 'string' },
  '--model': { field: 'model', takes: 'string' },
  '-w': { field: 'workdir', takes: 'string' },
  '--workdir': { field: 'workdir', takes: 'string' },
  '-o': { field: 'output', takes: ['text', 'json', 'stream-json'] },
  '--output-format': { field: 'output', takes: ['text', 'json', 'stream-json'] },
  '--approval': { field: 'approval', takes: APPROVAL_MODES },
  '--sandbox': { field: 'sandbox', takes: SANDBOX_MODES },
  '--system-prompt': { field: 'systemPrompt', takes: 'string' },
  '--dry-run': { field: 'dryRun' },
  '--ephemeral': { field: 'ephemeral' },
  '--verbose': { field: 'verbose' },
  '-c': { field: 'continue' },
  '--continue': { field: 'continue' },
};

const LIST_FLAGS: Record<string, Flag> = {
  '-b': { field: 'backend', takes: 'string' },
  '--backend': { field: 'backend', takes: 'string' },
  '--status': { field: 'status', takes: SESSION_STATUSES },
  '-n': { field: 'limit', takes: 'count' },
  '--limit': { field: 'limit', takes: 'count' },
  '--json': { field: 'json' },
};

/**
 * Reads `tokens` as flags of `table` followed by words (or `--` and words). Undefined when any token
 * is not plainly one of those.
 */
function read(tokens: readonly string[], table: Record<string, Flag>): { set: Record<string, string | number | boolean>; words: string[] } | undefined {
  const set: Record<string, string | number | boolean> = {};
  const words: string[] = [];
  let onlyWords = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (onlyWords || !token.startsWith('-')) {
      words.push(token);
      continue;
    }
    if (token === '--') {
      onlyWords = true;
      continue;
    }
    const flag = Object.hasOwn(table, token) ? table[token] : undefined;
    // A flag after the words, `-` (stdin), `-abc` bundles, `--flag=value`, repeats: clipanion's to read.
    if (words.length > 0 || !flag || Object.hasOwn(set, flag.field)) return undefined;
    if (flag.takes === undefined) {
      set[flag.field] = true;
      continue;
    }
    const value = tokens[++i];
    if (value === undefined || value.startsWith('-')) return undefined;
    if (flag.takes === 'count') {
      if (!/^[1-9]\d{0,8}$/.test(value)) return undefined;
      set[flag.field] = Number(value);
    } else if (flag.takes === 'string' || flag.takes.includes(value)) set[flag.field] = value;
    else return undefined;
  }
  return { set, words };
}

export function quickArgv(argv: readonly string[]): Quick | undefined {
  const head = argv[0];
  if (head === undefined || head === 'help') return undefined;
  if (head === 'sessions' && (argv[1] === 'list' || argv[1] === 'ls')) {
    const r = read(argv.slice(2), LIST_FLAGS);
    if (!r || r.words.length > 0) return undefined;
    return { command: 'sessions list', flags: { limit: 20, json: false, ...r.set } as ListFlags };
  }
  if ((COMMAND_WORDS as readonly string[]).includes(head)) return undefined;
  const r = read(argv, PROMPT_FLAGS);
  const prompt = r?.words.join(' ');
  if (!r || !prompt) return undefined;
  return { command: 'prompt', flags: { dryRun: false, ephemeral: false, verbose: false, continue: false, ...r.set } as PromptFlags, prompt };
}
