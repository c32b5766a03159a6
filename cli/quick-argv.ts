// The quick path: the two commands people run most, read without clipanion. Loading clipanion and
// compiling its state machine costs ~30 ms, most of what a command adds to a Node start. This reader
// accepts only a plain subset of the grammar of
//   clinvk [flags] <prompt words> [flags]          and   clinvk sessions list|ls [flags]
// and answers `undefined` for anything else (help, another command, an unknown or repeated flag, a
// value clipanion would refuse, bundled short flags), which then goes to clipanion, so errors and help
// always come from one place. A prompt that turns out empty goes there too (main.ts).
// test/unit/cli/quick-argv.test.ts checks that every argv read here reads the same through clipanion.
import { APPROVAL_MODES, EFFORTS, SANDBOX_MODES, SESSION_STATUSES } from '../runtime/contract.ts';
import { COMMAND_WORDS } from './command-words.ts';
import type { PromptFlags } from './run-flags.ts';
import type { ListFlags } from './sessions-list.ts';

/** `words` as clipanion would pass them to the prompt command: joined, or `-`/none for stdin (context.ts promptFrom). */
export type Quick = { command: 'prompt'; flags: PromptFlags; words: string[] } | { command: 'sessions list'; flags: ListFlags };

/** The numbers clipanion's validators accept (typanion: JSON that prints back the same), in a range. */
type NumberRule = { min: number; max?: number; integer?: boolean };

/** A flag: the field it sets, and for a flag with a value what clipanion would accept. */
interface Flag {
  field: string;
  takes?: 'string' | 'list' | NumberRule | readonly string[];
}

const seconds: NumberRule = { min: 0, max: 86_400 };
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
  '--max-turns': { field: 'maxTurns', takes: { min: 0, integer: true } },
  '-t': { field: 'timeout', takes: seconds },
  '--timeout': { field: 'timeout', takes: seconds },
  '--idle-timeout': { field: 'idleTimeout', takes: seconds },
  '--extra': { field: 'extra', takes: 'list' },
  '--image': { field: 'images', takes: 'list' },
  '--file': { field: 'files', takes: 'list' },
  '--json-schema': { field: 'jsonSchema', takes: 'string' },
  '--effort': { field: 'effort', takes: EFFORTS },
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
  '-n': { field: 'limit', takes: { min: 1, integer: true } },
  '--limit': { field: 'limit', takes: { min: 1, integer: true } },
  '--json': { field: 'json' },
};

function numberOf(value: string, rule: NumberRule): number | undefined {
  let n: unknown;
  try {
    n = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (typeof n !== 'number' || JSON.stringify(n) !== value || n < rule.min || (rule.max !== undefined && n > rule.max)) return undefined;
  return rule.integer && !Number.isInteger(n) ? undefined : n;
}

/** The value `flag` takes from `value`, or undefined when clipanion would refuse it (its error, not ours). */
function valueOf(flag: Flag, value: string): string | number | undefined {
  const takes = flag.takes;
  if (takes === 'string' || takes === 'list') return value;
  if (Array.isArray(takes)) return takes.includes(value) ? value : undefined;
  return numberOf(value, takes as NumberRule);
}

type Values = Record<string, string | number | boolean | string[]>;

const BUILTIN_FLAGS = new Set(['-h', '--help', '-v', '--version']);

/**
 * Reads `tokens` as words and flags of `table` (`--flag value`, `--long-flag=value`), `--` ending the
 * flags. Undefined when any token is not plainly one of those.
 */
function read(tokens: readonly string[], table: Record<string, Flag>): { set: Values; words: string[] } | undefined {
  const set: Values = {};
  const words: string[] = [];
  let onlyWords = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (onlyWords || !token.startsWith('-') || token === '-') {
      // clipanion reads its help and version flags even after `--` (`clinvk -- --version x` is an error there).
      if (onlyWords && BUILTIN_FLAGS.has(token)) return undefined;
      words.push(token);
      continue;
    }
    if (token === '--') {
      onlyWords = true;
      continue;
    }
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    const name = eq > 0 ? token.slice(0, eq) : token;
    const flag = Object.hasOwn(table, name) ? table[name] : undefined;
    // `-abc` bundles, `--no-flag`, `--bool=x`, unknown flags and repeats: clipanion's to read.
    if (!flag || (flag.takes === undefined && eq > 0) || (flag.takes !== 'list' && Object.hasOwn(set, flag.field))) return undefined;
    if (flag.takes === undefined) {
      set[flag.field] = true;
      continue;
    }
    const raw = eq > 0 ? token.slice(eq + 1) : tokens[++i];
    if (raw === undefined || (eq < 0 && raw.startsWith('-'))) return undefined;
    const value = valueOf(flag, raw);
    if (value === undefined) return undefined;
    if (flag.takes === 'list') set[flag.field] = [...((set[flag.field] as string[] | undefined) ?? []), value as string];
    else set[flag.field] = value;
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
  if (!r) return undefined;
  return { command: 'prompt', flags: { dryRun: false, ephemeral: false, verbose: false, continue: false, ...r.set } as PromptFlags, words: r.words };
}
