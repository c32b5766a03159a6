// What the fuzz pass sends: every route of the app (handlers/app.ts, rest.ts, openai.ts,
// anthropic.ts, system.ts, /mcp) with the fields of its request schema (handlers/schemas/requests.ts,
// openai/schemas.ts, openai/responses-schema.ts, anthropic/schemas.ts, mcp/tools/*), and for each
// field the values that break it, each with the outcome it must have.
import type { Harness, Rng } from './fuzz-harness.ts';

/** A real 1×1 PNG, as a data URL. */
const PNG_DATA_URL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/**
 * reject: a 4xx (MCP: an error result) and no process. nospawn: anything below 500, no process
 * (an orchestration answers 200 with each refused task failed). spawn: 200 and a process.
 * any: anything below 500 (inputs whose validity is the backend's business).
 */
export type Expect = 'reject' | 'nospawn' | 'spawn' | 'any';

export interface Case {
  name: string;
  method: string;
  path: string;
  /** An object is sent as JSON; a string or bytes as they are. */
  body?: unknown;
  headers?: Record<string, string>;
  expect: Expect;
  /** A valid prompt that looks like a flag: it must reach the backend as the prompt, never as a flag. */
  flagPrompt?: string;
  /** A JSON-RPC request to /mcp inside the harness's MCP session. */
  mcp?: boolean;
}

/** How a refusal by the engine (bad workdir, unknown backend, disallowed flag…) shows on an endpoint. */
type Refusal = 'reject' | 'nospawn';

/** A value for a field and what it does: refused by the schema, by the engine, or accepted. */
type Level = 'schema' | 'engine' | 'valid' | 'valid-nospawn' | 'any' | 'reject';
interface Mut {
  label: string;
  value: unknown;
  level: Level;
  flagPrompt?: string;
}
export const DELETE = Symbol('delete');

type Role =
  | 'prompt' | 'workdir' | 'backend' | 'model' | 'compatModel' | 'session' | 'extra' | 'tools' | 'system'
  | 'responseId' | 'runId' | 'sessionRef' | 'compareBackends' | 'chatContent' | 'anthropicContent' | 'anthropicSystem' | 'responsesInput' | 'plain';

type Field =
  | { t: 'str'; min?: number; max?: number; role?: Role; nullable?: boolean; required?: boolean }
  | { t: 'int'; min?: number; max?: number; nullable?: boolean; required?: boolean; coerce?: boolean }
  | { t: 'num'; min?: number; max?: number; nullable?: boolean; required?: boolean }
  | { t: 'bool'; nullable?: boolean; required?: boolean; dryRun?: boolean }
  | { t: 'enum'; values: string[]; nullable?: boolean; required?: boolean }
  | { t: 'strArr'; maxItems?: number; itemMin?: number; itemMax?: number; role?: Role; nullable?: boolean; minItems?: number; required?: boolean }
  | { t: 'record'; keyMax?: number; valMax?: number; nullable?: boolean }
  | { t: 'obj'; nullable?: boolean; required?: boolean }
  | { t: 'arr'; minItems?: number; maxItems?: number; required?: boolean; itemFactory?: () => unknown }
  | { t: 'special'; role: Role; required?: boolean };

// ------------------------------------------------------------------ values

const FLAG_PROMPTS = ['--help', '-rf', '--dangerously-skip-permissions', '--output-format=text', '--resume=x', '-p', '--', '-', '--version --yolo', '-c model="x"'];
const UNICODE = [
  '\u{1F600}\u{1F525}\u{1F469}\u200D\u{1F469}\u200D\u{1F467}', // emoji and a ZWJ family
  '\u202Eevil\u202C \u0645\u0631\u062D\u0628\u0627 \u05E9\u05DC\u05D5\u05DD', // RTL override, Arabic, Hebrew
  'e\u0301\u0301\u0301\u0301 Z\u0351\u0352\u0353', // combining marks
  '\u200B\uFEFF\u2060zero width',
  'lone \uD800 high and \uDFFF low surrogates', // sent escaped: JSON.stringify keeps them as \ud800
  '\uDBFF\uDFFF\uFFFE\uFFFF',
  '\u0001\u0007\u001B[31mansi\u001B[0m\u007F',
  'line\r\nX-Injected: 1\r\n\r\n',
];
const SHELLISH = ['$(rm -rf /)', '`id`; echo pwned | sh && true', "'; DROP TABLE sessions; --", '%s%n%x', '{{previous}}', '${HOME}', '\\\\?\\C:\\x', '*?[]~'];
const WORKDIR_BAD = (h: Harness): string[] => [
  '/etc', '/etc/', '/etc/passwd', '/', '//', '/root', '/proc', '/dev/null', '/sys/kernel', '/boot', '/run',
  '../../', '..', '.', 'relative/dir', 'work', '~', '~/x', './x',
  '/nonexistent/zzz-clinvk-fuzz', `${h.paths.root}/does-not-exist`, `${h.paths.root}/../../etc`, `${h.workdir}/../../../../../etc`,
  '/tmp\u0000x', `${h.workdir}\u0000`, h.paths.file, h.paths.etcLink, `${h.paths.etcLink}/ssl`,
  `${h.paths.root}/\u{1F600}\u202E`, '/tmp/../etc', '\\etc', 'C:\\Windows',
];
const BACKEND_BAD = ['nope', 'CLAUDE', 'claude ', ' claude', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '../claude', 'claude\u0000', '\u{1F600}', 'claude/x', 'claude,codex', '*'];
const ID_BAD = ['../x', '..%2F..%2Fetc%2Fpasswd', '../../../../etc/passwd', '/etc/passwd', 'a\u0000b', '\u0000', '\u{1F600}', 'deadbeefdeadbeef', 'ZZZZ', ' ', '*', '.', '..', 'abc/../../x', 'C:\\x', '%00', '\\..\\x'];
const EXTRA_BAD: string[][] = [
  ['--dangerously-skip-permissions'], ['--output-format=text'], ['--output-format', 'text'], ['--resume=x'], ['--resume', 'x'],
  ['-p'], ['--'], ['-'], ['bare-word'], ['--add-dir'], ['--add-dir', '--help'], ['--name=-x'], ['--model', 'x'], ['-c', 'x'],
  ['--yolo'], ['--dangerously-bypass-approvals-and-sandbox'], ['--config', 'x=y'], ['--effort\u0000'], ['--add-dir', '/tmp\u0000'],
  ['--prompt=x'], ['-o', 'text'], ['--session-id', 'x'], ['--approval-mode', 'yolo'], ['--\u{1F600}'], [''],
];
/** One allow-listed flag per backend (runtime/backends/*.ts extraAllowList). */
const EXTRA_OK: Record<string, string[]> = { claude: ['--effort', 'high'], codex: ['--strict-config'], gemini: ['-e', 'none'] };

const deep = (n: number, leaf: unknown = 1): unknown => {
  let v: unknown = leaf;
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

/** Values of every JSON type but the field's own. */
function wrongTypes(f: Field): Mut[] {
  const all: [string, unknown, string][] = [
    ['number', 42, 'num'], ['float', -1.5, 'num'], ['bool', true, 'bool'], ['string', 'str', 'str'], ['numeric string', '5', 'str'],
    ['empty array', [], 'arr'], ['array', [1, 'x'], 'arr'], ['empty object', {}, 'obj'], ['object', { a: 1 }, 'obj'], ['deep nesting', deep(200), 'obj'],
  ];
  const own: Record<Field['t'], string[]> = {
    str: ['str'], int: ['num'], num: ['num'], bool: ['bool'], enum: ['str'], strArr: ['arr'], record: ['obj'], obj: ['obj'], arr: ['arr'], special: [],
  };
  // A coerced field (the MCP sessions tool reuses the REST query schema) takes "5", true and [] as numbers.
  const level: Level = 'coerce' in f && f.coerce ? 'any' : 'schema';
  const out = all.filter(([, , t]) => !own[f.t].includes(t)).map(([label, value]) => ({ label: `wrong type: ${label}`, value, level }));
  if (f.t === 'record') out.push({ label: 'wrong type: array', value: [['a', 'b']], level: 'schema' });
  if (!('nullable' in f && f.nullable)) out.push({ label: 'null', value: null, level });
  return out;
}

function stringMuts(f: Extract<Field, { t: 'str' }>, h: Harness, base: Record<string, unknown>): Mut[] {
  const out: Mut[] = [];
  const min = f.min ?? 0;
  if (min > 0) out.push({ label: 'empty string', value: '', level: 'schema' });
  if (f.max !== undefined) out.push({ label: `longer than ${f.max}`, value: 'x'.repeat(f.max + 1), level: 'schema' });
  switch (f.role) {
    case 'prompt':
      // Over max_prompt_bytes (1 MiB): refused by the engine (413); over one argv element: sent on stdin.
      out.push({ label: '2 MB prompt', value: 'p'.repeat(2 * 1024 * 1024), level: 'engine' });
      out.push({ label: '1 MiB + 1 of emoji (bytes, not chars)', value: `${'\u{1F600}'.repeat(256 * 1024)}x`, level: 'engine' });
      out.push({ label: '200 KB prompt (on stdin)', value: 'p'.repeat(200 * 1024), level: 'valid' });
      out.push({ label: '160 KB of emoji (on stdin)', value: '\u{1F600}'.repeat(40 * 1024), level: 'valid' });
      out.push({ label: '100 KB prompt', value: 'p'.repeat(100 * 1000), level: 'valid' });
      out.push({ label: 'NUL in prompt', value: 'before\u0000after', level: 'engine' });
      out.push({ label: 'whitespace prompt', value: ' \n\t ', level: 'engine' });
      for (const p of FLAG_PROMPTS) out.push({ label: `flag-like prompt ${p}`, value: p, level: 'valid', flagPrompt: p });
      for (const u of UNICODE) out.push({ label: `unicode prompt ${JSON.stringify(u).slice(0, 20)}`, value: u, level: 'valid' });
      // A template is filled in a chain ({{previous}} of the first step is empty): only `any` there.
      for (const s of SHELLISH) out.push({ label: `shell-ish prompt ${s}`, value: s, level: s.includes('{{') ? 'any' : 'valid' });
      break;
    case 'system':
      out.push({ label: 'NUL', value: 'a\u0000b', level: 'engine' });
      // claude takes it as one argument (refused over 128 KiB); codex and gemini put it in the prompt (stdin).
      out.push({ label: '200 KB', value: 's'.repeat(200 * 1024), level: 'any' });
      out.push({ label: '1.1 MB (over max_prompt_bytes)', value: 's'.repeat(1100 * 1024), level: 'engine' });
      for (const p of FLAG_PROMPTS.slice(0, 4)) out.push({ label: `flag-like ${p}`, value: p, level: 'valid' });
      for (const u of UNICODE.slice(0, 4)) out.push({ label: 'unicode', value: u, level: 'valid' });
      break;
    case 'workdir':
      out.push({ label: 'the workdir', value: h.workdir, level: 'valid' }, { label: 'workdir with /./', value: `${h.workdir}/./`, level: 'valid' });
      out.push({ label: 'workdir via ..', value: `${h.workdir}/../work`, level: 'valid' });
      for (const w of WORKDIR_BAD(h)) out.push({ label: `workdir ${JSON.stringify(w)}`, value: w, level: 'engine' });
      out.push({ label: '/proc/self/cwd', value: '/proc/self/cwd', level: 'any' });
      break;
    case 'backend':
      for (const b of ['claude', 'codex', 'gemini']) out.push({ label: `backend ${b}`, value: b, level: 'valid' });
      for (const b of BACKEND_BAD) out.push({ label: `backend ${JSON.stringify(b)}`, value: b, level: 'engine' });
      break;
    case 'model':
      for (const m of ['fast', 'best', 'sonnet', 'gpt-5', '\u{1F600}', 'a b', '   ', 'x'.repeat(200)]) out.push({ label: `model ${m.slice(0, 12)}`, value: m, level: 'valid' });
      for (const m of ['--help', '-x', '--model=evil', 'a\u0000b']) out.push({ label: `model ${JSON.stringify(m)}`, value: m, level: 'engine' });
      break;
    case 'compatModel':
      for (const m of ['claude', 'codex', 'gemini', 'gpt-4o', 'claude-3-opus', 'gemini-pro', 'whatever', 'claude/sonnet', 'claude/', '\u{1F600}', '/etc/passwd', 'o3'])
        out.push({ label: `model ${m}`, value: m, level: 'valid' });
      for (const m of ['nope/x', '__proto__/x', 'constructor/x', '../x', 'x/', 'claude/--help', 'codex/-x', 'claude/a\u0000b', 'gemini/--yolo'])
        out.push({ label: `model ${JSON.stringify(m)}`, value: m, level: 'engine' });
      break;
    case 'session':
      out.push({ label: 'existing session', value: h.sessions.find((s) => s.backend === (base.backend ?? 'claude'))?.id ?? h.sessions[0]!.id, level: 'valid' });
      for (const id of ID_BAD) out.push({ label: `session id ${JSON.stringify(id)}`, value: id, level: 'engine' });
      break;
    case 'responseId':
      for (const id of ID_BAD) out.push({ label: `previous_response_id ${JSON.stringify(id)}`, value: id, level: 'reject' });
      out.push({ label: 'previous_response_id null', value: null, level: 'valid' });
      break;
    case 'runId':
      for (const id of [...ID_BAD, 'run_0000000000000000']) out.push({ label: `run id ${JSON.stringify(id)}`, value: id, level: 'reject' });
      break;
    case 'sessionRef':
      for (const id of ID_BAD) out.push({ label: `id ${JSON.stringify(id)}`, value: id, level: 'reject' });
      break;
    default:
      for (const u of UNICODE.slice(0, 3)) out.push({ label: 'unicode', value: u, level: 'any' });
      out.push({ label: 'NUL', value: 'a\u0000b', level: 'any' });
  }
  return out;
}

function numberMuts(f: Extract<Field, { t: 'int' | 'num' }>): Mut[] {
  const out: Mut[] = [];
  const min = f.min ?? -Infinity;
  if (Number.isFinite(min)) {
    out.push({ label: `below min (${min - 1})`, value: min - 1, level: 'schema' }, { label: 'at min', value: min, level: 'valid' });
    if (min >= 0) out.push({ label: 'negative', value: -5, level: 'schema' });
  }
  if (f.max !== undefined) out.push({ label: `above max (${f.max + 1})`, value: f.max + 1, level: 'schema' }, { label: 'at max', value: f.max, level: 'valid' });
  out.push({ label: '1e308', value: 1e308, level: f.t === 'int' || f.max !== undefined ? 'schema' : 'any' });
  out.push({ label: '-1e308', value: -1e308, level: Number.isFinite(min) ? 'schema' : 'any' });
  out.push({ label: 'just below zero', value: -Number.MIN_VALUE, level: min >= 0 ? 'schema' : 'any' });
  if (f.t === 'int') out.push({ label: 'fraction', value: 1.5, level: 'schema' }, { label: 'unsafe integer', value: 2 ** 53 + 2, level: 'schema' });
  if (f.nullable) out.push({ label: 'null', value: null, level: 'valid' });
  return out;
}

function arrayMuts(f: Extract<Field, { t: 'strArr' }>, base: Record<string, unknown>): Mut[] {
  const out: Mut[] = [];
  if (f.maxItems !== undefined) out.push({ label: `more than ${f.maxItems} items`, value: Array.from({ length: f.maxItems + 1 }, () => 'x'), level: 'schema' });
  if (f.itemMax !== undefined) out.push({ label: `item longer than ${f.itemMax}`, value: ['y'.repeat(f.itemMax + 1)], level: 'schema' });
  if ((f.itemMin ?? 0) > 0) out.push({ label: 'empty item', value: [''], level: 'schema' });
  if ((f.minItems ?? 0) > 0) out.push({ label: 'empty array', value: [], level: 'schema' });
  out.push({ label: 'non-string items', value: [1, null, {}], level: 'schema' }, { label: 'nested arrays', value: [['x']], level: 'schema' });
  if (f.role === 'extra') {
    const backend = typeof base.backend === 'string' ? base.backend : undefined;
    for (const e of EXTRA_BAD) out.push({ label: `extra ${JSON.stringify(e)}`, value: e, level: e.some((x) => x.length > 4096) ? 'schema' : 'engine' });
    if (backend && EXTRA_OK[backend]) out.push({ label: `allow-listed extra for ${backend}`, value: EXTRA_OK[backend], level: 'valid' });
    out.push({ label: 'no extra', value: [], level: 'valid' });
  } else if (f.role === 'tools') {
    out.push({ label: 'tools with NUL', value: ['Bash\u0000'], level: 'engine' }, { label: 'tool --help', value: ['--help'], level: 'any' }, { label: 'tools', value: ['Read', 'Bash(git:*)'], level: 'valid' });
  } else if (f.role === 'compareBackends') {
    out.push({ label: 'only unknown backends', value: ['nope', '__proto__'], level: 'reject' }, { label: 'unknown backend and claude', value: ['nope', 'claude'], level: 'valid' });
    out.push({ label: 'duplicate backends', value: ['codex', 'codex'], level: 'valid' }, { label: 'traversal backend', value: ['../x'], level: 'reject' });
  }
  return out;
}

function recordMuts(f: Extract<Field, { t: 'record' }>): Mut[] {
  const out: Mut[] = [
    { label: 'number value', value: { a: 1 }, level: 'schema' },
    { label: 'null value', value: { a: null }, level: 'schema' },
    { label: 'nested value', value: { a: { b: 'c' } }, level: 'schema' },
    { label: 'unicode and NUL (stored, never in argv)', value: { '\u{1F600}': 'v\u0000', k: '\u202E' }, level: 'valid' },
    { label: '__proto__ key', value: JSON.parse('{"__proto__":"x","constructor":"y"}') as unknown, level: 'valid' },
  ];
  if (f.keyMax !== undefined) out.push({ label: 'long key', value: { ['k'.repeat(f.keyMax + 1)]: 'v' }, level: 'schema' });
  if (f.valMax !== undefined) out.push({ label: 'long value', value: { k: 'v'.repeat(f.valMax + 1) }, level: 'schema' });
  return out;
}

function specialMuts(role: Role): Mut[] {
  switch (role) {
    case 'chatContent':
      return [
        { label: 'null content', value: null, level: 'engine' },
        { label: 'empty content', value: '', level: 'engine' },
        { label: 'text parts', value: [{ type: 'text', text: 'hi' }, { type: 'text', text: 'there' }], level: 'valid' },
        // An image part is handed to the backend, or refused (400) when it cannot be: never dropped in silence.
        { label: 'image part only', value: [{ type: 'image_url', image_url: { url: PNG_DATA_URL } }], level: 'valid' },
        { label: 'image part, not base64', value: [{ type: 'image_url', image_url: { url: 'data:,' } }], level: 'engine' },
        { label: 'image part, not an image', value: [{ type: 'image_url', image_url: { url: 'data:image/png;base64,aGVsbG8=' } }], level: 'engine' },
        { label: 'image part, remote', value: [{ type: 'image_url', image_url: { url: 'http://127.0.0.1:9/x.png' } }], level: 'engine' },
        { label: 'empty parts', value: [], level: 'engine' },
        { label: 'part without type', value: [{ text: 'x' }], level: 'schema' },
        { label: 'number part', value: [1], level: 'schema' },
        { label: 'object content', value: { text: 'x' }, level: 'schema' },
        { label: 'number content', value: 7, level: 'schema' },
        { label: 'NUL content', value: 'a\u0000b', level: 'engine' },
        { label: '2 MB content', value: 'c'.repeat(2 * 1024 * 1024), level: 'engine' },
        ...FLAG_PROMPTS.map((p) => ({ label: `flag-like content ${p}`, value: p, level: 'valid' as Level, flagPrompt: p })),
        ...UNICODE.map((u) => ({ label: 'unicode content', value: u, level: 'valid' as Level })),
      ];
    case 'anthropicContent':
      return [
        { label: 'empty content', value: '', level: 'engine' },
        { label: 'text blocks', value: [{ type: 'text', text: 'hi' }], level: 'valid' },
        { label: 'tool_result block', value: [{ type: 'tool_result', content: [{ type: 'text', text: 'r' }] }], level: 'valid' },
        { label: 'image block only', value: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_DATA_URL.split(',')[1] } }], level: 'valid' },
        { label: 'image block, no source', value: [{ type: 'image', source: {} }], level: 'engine' },
        { label: 'empty blocks', value: [], level: 'engine' },
        { label: 'block without type', value: [{ text: 'x' }], level: 'schema' },
        { label: 'null content', value: null, level: 'schema' },
        { label: 'object content', value: { type: 'text', text: 'x' }, level: 'schema' },
        { label: 'NUL content', value: 'a\u0000b', level: 'engine' },
        { label: '300 KB content (on stdin)', value: 'c'.repeat(300 * 1024), level: 'valid' },
        { label: '1.1 MB content (over max_prompt_bytes)', value: 'c'.repeat(1100 * 1024), level: 'engine' },
        ...FLAG_PROMPTS.map((p) => ({ label: `flag-like content ${p}`, value: p, level: 'valid' as Level, flagPrompt: p })),
        ...UNICODE.map((u) => ({ label: 'unicode content', value: u, level: 'valid' as Level })),
      ];
    case 'anthropicSystem':
      return [
        { label: 'string', value: 'be brief', level: 'valid' },
        { label: 'empty blocks', value: [], level: 'valid' },
        { label: 'text blocks', value: [{ type: 'text', text: 'be brief' }], level: 'valid' },
        { label: 'block without type', value: [{ text: 'x' }], level: 'schema' },
        { label: 'number', value: 1, level: 'schema' },
        { label: 'null', value: null, level: 'schema' },
        { label: 'object', value: { type: 'text', text: 'x' }, level: 'schema' },
        { label: 'NUL', value: 'a\u0000b', level: 'engine' },
        // claude takes a system prompt as one argument (refused over 128 KiB); codex and gemini put it in the prompt.
        { label: '200 KB', value: 's'.repeat(200 * 1024), level: 'any' },
        { label: '1.1 MB (over max_prompt_bytes)', value: 's'.repeat(1100 * 1024), level: 'engine' },
        ...FLAG_PROMPTS.slice(0, 4).map((p) => ({ label: `flag-like ${p}`, value: p, level: 'valid' as Level })),
      ];
    case 'responsesInput':
      return [
        { label: 'empty string', value: '', level: 'schema' },
        { label: 'empty array', value: [], level: 'schema' },
        { label: 'item without role', value: [{}], level: 'engine' },
        { label: 'message item', value: [{ role: 'user', content: 'hi' }], level: 'valid' },
        { label: 'parts item', value: [{ role: 'user', content: [{ type: 'input_text', text: 'hi' }] }], level: 'valid' },
        { label: 'function output item', value: [{ type: 'function_call_output', output: 'x' }], level: 'valid' },
        { label: 'bad role', value: [{ role: 'root', content: 'x' }], level: 'schema' },
        { label: 'number', value: 3, level: 'schema' },
        { label: 'object', value: { role: 'user' }, level: 'schema' },
        { label: 'NUL', value: 'a\u0000b', level: 'engine' },
        ...FLAG_PROMPTS.map((p) => ({ label: `flag-like input ${p}`, value: p, level: 'valid' as Level, flagPrompt: p })),
      ];
    default:
      return [];
  }
}

export function mutationsFor(f: Field, h: Harness, base: Record<string, unknown>): Mut[] {
  const out: Mut[] = [];
  if (f.t !== 'special') out.push(...wrongTypes(f));
  if ('required' in f && f.required) out.push({ label: 'missing', value: DELETE, level: 'schema' });
  else out.push({ label: 'absent', value: DELETE, level: 'valid' });
  switch (f.t) {
    case 'str':
      out.push(...stringMuts(f, h, base));
      break;
    case 'int':
    case 'num':
      out.push(...numberMuts(f));
      break;
    case 'bool':
      out.push({ label: 'true', value: true, level: f.dryRun ? 'valid-nospawn' : 'valid' }, { label: 'false', value: false, level: 'valid' });
      out.push({ label: '"true"', value: 'true', level: 'schema' }, { label: '1', value: 1, level: 'schema' });
      if (f.nullable) out.push({ label: 'null', value: null, level: 'valid' });
      break;
    case 'enum':
      for (const v of f.values) out.push({ label: v, value: v, level: 'valid' });
      out.push({ label: 'unknown value', value: 'sometimes', level: 'schema' }, { label: 'upper case', value: f.values[f.values.length - 1]!.toUpperCase(), level: 'schema' });
      break;
    case 'strArr':
      out.push(...arrayMuts(f, base));
      break;
    case 'record':
      out.push(...recordMuts(f));
      break;
    case 'obj':
      out.push({ label: 'array for object', value: [{}], level: 'schema' }, { label: 'unknown members', value: { zz: deep(50), __proto__: 1 }, level: 'valid' });
      break;
    case 'arr':
      out.push({ label: 'object for array', value: { 0: {} }, level: 'schema' }, { label: 'array of numbers', value: [1, 2], level: 'schema' });
      if ((f.minItems ?? 0) > 0) out.push({ label: 'empty', value: [], level: 'schema' });
      if (f.maxItems !== undefined && f.itemFactory) out.push({ label: `more than ${f.maxItems} items`, value: Array.from({ length: f.maxItems + 1 }, f.itemFactory), level: 'schema' });
      break;
    case 'special':
      out.push(...specialMuts(f.role));
      break;
  }
  return out;
}

// ------------------------------------------------------------------ endpoints

export interface BodyEndpoint {
  name: string;
  path: string;
  surface: 'rest' | 'openai' | 'anthropic' | 'mcp';
  /** A valid body. `rng` picks among equivalent valid shapes. */
  base(rng: Rng, h: Harness): Record<string, unknown>;
  /** Field paths (dots; numbers index arrays) → their schema. */
  fields: Record<string, Field>;
  /** Whether a valid body starts a process. */
  spawns: boolean;
  refusal: Refusal;
  /** MCP: the tool name; the body is its arguments. */
  tool?: string;
}

const RUN_FIELDS: Record<string, Field> = {
  backend: { t: 'str', min: 1, max: 64, role: 'backend' },
  prompt: { t: 'str', min: 1, role: 'prompt', required: true },
  model: { t: 'str', min: 1, max: 200, role: 'model' },
  workdir: { t: 'str', min: 1, max: 4096, role: 'workdir' },
  session_id: { t: 'str', min: 1, max: 128, role: 'session' },
  ephemeral: { t: 'bool' },
  approval_mode: { t: 'enum', values: ['default', 'auto', 'none', 'always'] },
  sandbox_mode: { t: 'enum', values: ['default', 'read-only', 'workspace', 'full'] },
  max_tokens: { t: 'int', min: 0 },
  max_turns: { t: 'int', min: 0 },
  system_prompt: { t: 'str', role: 'system' },
  allowed_tools: { t: 'strArr', maxItems: 200, itemMin: 1, itemMax: 200, role: 'tools' },
  extra: { t: 'strArr', maxItems: 64, itemMax: 4096, role: 'extra' },
  timeout_secs: { t: 'num', min: 0, max: 86_400 },
  idle_timeout_secs: { t: 'num', min: 0, max: 86_400 },
  dry_run: { t: 'bool', dryRun: true },
  verbose: { t: 'bool' },
  metadata: { t: 'record', keyMax: 200, valMax: 4096 },
};

const prefixed = (prefix: string, fields: Record<string, Field>): Record<string, Field> =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [`${prefix}${k}`, v]));

const runBase = (rng: Rng, h: Harness) => ({ backend: rng.pick(['claude', 'codex', 'gemini']), prompt: 'say ok', workdir: h.workdir, ephemeral: true });

const CLINVK_OPTS: Record<string, Field> = {
  clinvk: { t: 'obj' },
  'clinvk.workdir': { t: 'str', min: 1, max: 4096, role: 'workdir' },
  'clinvk.session_id': { t: 'str', min: 1, max: 128, role: 'session' },
  'clinvk.reuse_session': { t: 'bool' },
};
const chatMessage = () => ({ role: 'user', content: 'x' });
const anthropicMessage = () => ({ role: 'user', content: 'x' });

const MCP_PROMPT_FIELDS: Record<string, Field> = {
  backend: RUN_FIELDS.backend!, prompt: RUN_FIELDS.prompt!, model: RUN_FIELDS.model!, workdir: RUN_FIELDS.workdir!, session_id: RUN_FIELDS.session_id!,
  approval_mode: RUN_FIELDS.approval_mode!, sandbox_mode: RUN_FIELDS.sandbox_mode!, max_turns: RUN_FIELDS.max_turns!, system_prompt: RUN_FIELDS.system_prompt!,
  ephemeral: RUN_FIELDS.ephemeral!, timeout_secs: RUN_FIELDS.timeout_secs!,
};
const taskItem = () => ({ prompt: 'x', backend: 'claude', ephemeral: true });

export const BODY_ENDPOINTS: BodyEndpoint[] = [
  {
    name: 'rest prompt', path: '/api/v1/prompt', surface: 'rest', spawns: true, refusal: 'reject',
    base: (rng, h) => ({ ...runBase(rng, h), output_format: rng.pick(['json', 'stream-json', 'text']) }),
    fields: { ...RUN_FIELDS, output_format: { t: 'enum', values: ['json', 'stream-json', 'text'] } },
  },
  {
    name: 'rest parallel', path: '/api/v1/parallel', surface: 'rest', spawns: true, refusal: 'nospawn',
    base: (rng, h) => ({ tasks: [{ ...runBase(rng, h), name: 'only' }], max_parallel: 2 }),
    fields: {
      tasks: { t: 'arr', minItems: 1, maxItems: 1000, required: true, itemFactory: taskItem },
      max_parallel: { t: 'int', min: 1, max: 64 },
      fail_fast: { t: 'bool' },
      output_dir: { t: 'str', min: 1, role: 'plain' },
      ...prefixed('tasks.0.', RUN_FIELDS),
      'tasks.0.name': { t: 'str', min: 1, max: 200 },
    },
  },
  {
    name: 'rest chain', path: '/api/v1/chain', surface: 'rest', spawns: true, refusal: 'nospawn',
    base: (rng, h) => ({ steps: [{ ...runBase(rng, h), name: 'first' }] }),
    fields: {
      steps: { t: 'arr', minItems: 1, maxItems: 100, required: true, itemFactory: taskItem },
      stop_on_failure: { t: 'bool' },
      pass_working_dir: { t: 'bool' },
      ...prefixed('steps.0.', RUN_FIELDS),
      'steps.0.name': { t: 'str', min: 1, max: 200 },
    },
  },
  {
    name: 'rest compare', path: '/api/v1/compare', surface: 'rest', spawns: true, refusal: 'nospawn',
    base: (rng, h) => ({ prompt: 'compare ok', backends: [rng.pick(['claude', 'codex', 'gemini'])], workdir: h.workdir, ephemeral: true }),
    fields: {
      prompt: RUN_FIELDS.prompt!,
      backends: { t: 'strArr', minItems: 1, maxItems: 16, itemMin: 1, itemMax: 64, role: 'compareBackends' },
      sequential: { t: 'bool' },
      model: RUN_FIELDS.model!,
      workdir: RUN_FIELDS.workdir!,
      timeout_secs: RUN_FIELDS.timeout_secs!,
      ephemeral: RUN_FIELDS.ephemeral!,
    },
  },
  {
    name: 'openai chat', path: '/openai/v1/chat/completions', surface: 'openai', spawns: true, refusal: 'reject',
    base: (rng, h) => ({ model: rng.pick(['claude', 'codex', 'gemini', 'gpt-4o']), messages: [{ role: 'user', content: 'say ok' }], stream: rng.bool(), clinvk: { workdir: h.workdir, reuse_session: false } }),
    fields: {
      model: { t: 'str', min: 1, max: 200, role: 'compatModel', required: true },
      messages: { t: 'arr', minItems: 1, maxItems: 10_000, required: true, itemFactory: chatMessage },
      'messages.0.role': { t: 'enum', values: ['user', 'assistant', 'tool', 'function'], required: true },
      'messages.0.content': { t: 'special', role: 'chatContent', required: true },
      'messages.0.name': { t: 'str', role: 'plain' },
      stream: { t: 'bool', nullable: true },
      stream_options: { t: 'obj', nullable: true },
      n: { t: 'int', min: 1, max: 1, nullable: true },
      max_tokens: { t: 'int', min: 0, nullable: true },
      max_completion_tokens: { t: 'int', min: 0, nullable: true },
      user: { t: 'str', role: 'plain' },
      ...CLINVK_OPTS,
    },
  },
  {
    name: 'openai responses', path: '/openai/v1/responses', surface: 'openai', spawns: true, refusal: 'reject',
    base: (rng, h) => ({ model: rng.pick(['claude', 'codex', 'gemini']), input: 'say ok', stream: rng.bool(), clinvk: { workdir: h.workdir } }),
    fields: {
      model: { t: 'str', min: 1, max: 200, role: 'compatModel', required: true },
      input: { t: 'special', role: 'responsesInput', required: true },
      instructions: { t: 'str', role: 'system', nullable: true },
      stream: { t: 'bool', nullable: true },
      previous_response_id: { t: 'str', min: 1, max: 200, role: 'responseId', nullable: true },
      store: { t: 'bool', nullable: true },
      metadata: { t: 'record', nullable: true },
      max_output_tokens: { t: 'int', min: 1, nullable: true },
      ...CLINVK_OPTS,
    },
  },
  {
    name: 'anthropic messages', path: '/anthropic/v1/messages', surface: 'anthropic', spawns: true, refusal: 'reject',
    base: (rng, h) => ({ model: rng.pick(['claude', 'claude-sonnet-4', 'codex', 'gemini']), max_tokens: 64, messages: [{ role: 'user', content: 'say ok' }], stream: rng.bool(), clinvk: { workdir: h.workdir } }),
    fields: {
      model: { t: 'str', min: 1, max: 200, role: 'compatModel', required: true },
      messages: { t: 'arr', minItems: 1, maxItems: 10_000, required: true, itemFactory: anthropicMessage },
      'messages.0.role': { t: 'enum', values: ['user', 'assistant'], required: true },
      'messages.0.content': { t: 'special', role: 'anthropicContent', required: true },
      system: { t: 'special', role: 'anthropicSystem' },
      max_tokens: { t: 'int', min: 1 },
      stream: { t: 'bool' },
      metadata: { t: 'obj' },
      ...CLINVK_OPTS,
    },
  },
  {
    name: 'anthropic count_tokens', path: '/anthropic/v1/messages/count_tokens', surface: 'anthropic', spawns: false, refusal: 'nospawn',
    base: () => ({ model: 'claude', messages: [{ role: 'user', content: 'count me' }] }),
    fields: {
      model: { t: 'str', min: 1, max: 200, role: 'plain', required: true },
      messages: { t: 'arr', minItems: 1, maxItems: 10_000, required: true, itemFactory: anthropicMessage },
      'messages.0.content': { t: 'special', role: 'anthropicContent', required: true },
      system: { t: 'special', role: 'anthropicSystem' },
      metadata: { t: 'obj' },
    },
  },
  // MCP tools (mcp/tools/*.ts): the body is the `arguments` of tools/call.
  { name: 'mcp clinvk_prompt', tool: 'clinvk_prompt', path: '/mcp', surface: 'mcp', spawns: true, refusal: 'reject', base: runBase, fields: MCP_PROMPT_FIELDS },
  { name: 'mcp clinvk_start', tool: 'clinvk_start', path: '/mcp', surface: 'mcp', spawns: true, refusal: 'reject', base: runBase, fields: MCP_PROMPT_FIELDS },
  {
    name: 'mcp clinvk_parallel', tool: 'clinvk_parallel', path: '/mcp', surface: 'mcp', spawns: true, refusal: 'nospawn',
    base: (rng, h) => ({ tasks: [runBase(rng, h)] }),
    fields: { tasks: { t: 'arr', minItems: 1, maxItems: 1000, required: true, itemFactory: taskItem }, max_parallel: { t: 'int', min: 1, max: 64 }, fail_fast: { t: 'bool' }, ...prefixed('tasks.0.', RUN_FIELDS) },
  },
  {
    name: 'mcp clinvk_chain', tool: 'clinvk_chain', path: '/mcp', surface: 'mcp', spawns: true, refusal: 'nospawn',
    base: (rng, h) => ({ steps: [runBase(rng, h)] }),
    fields: { steps: { t: 'arr', minItems: 1, maxItems: 100, required: true, itemFactory: taskItem }, stop_on_failure: { t: 'bool' }, ...prefixed('steps.0.', RUN_FIELDS) },
  },
  {
    name: 'mcp clinvk_compare', tool: 'clinvk_compare', path: '/mcp', surface: 'mcp', spawns: true, refusal: 'nospawn',
    base: (rng, h) => ({ prompt: 'x', backends: [rng.pick(['claude', 'codex', 'gemini'])], workdir: h.workdir, ephemeral: true }),
    fields: { prompt: RUN_FIELDS.prompt!, backends: { t: 'strArr', minItems: 1, maxItems: 16, itemMin: 1, itemMax: 64, role: 'compareBackends' }, workdir: RUN_FIELDS.workdir!, model: RUN_FIELDS.model! },
  },
  {
    name: 'mcp clinvk_sessions', tool: 'clinvk_sessions', path: '/mcp', surface: 'mcp', spawns: false, refusal: 'nospawn',
    base: (_rng, h) => ({ action: 'show', id: h.sessions[0]!.id }),
    fields: {
      action: { t: 'enum', values: ['list', 'show'] },
      id: { t: 'str', min: 1, max: 128, role: 'sessionRef' },
      backend: { t: 'str', min: 1, max: 64, role: 'plain' },
      status: { t: 'enum', values: ['active', 'completed', 'error', 'paused'] },
      limit: { t: 'int', min: 1, max: 1000, coerce: true },
      offset: { t: 'int', min: 0, coerce: true },
    },
  },
  // No arguments: anything passed is dropped (see the junk case in mcpCases).
  { name: 'mcp clinvk_backends', tool: 'clinvk_backends', path: '/mcp', surface: 'mcp', spawns: false, refusal: 'nospawn', base: () => ({}), fields: {} },
  ...(['clinvk_status', 'clinvk_result', 'clinvk_cancel'] as const).map((tool): BodyEndpoint => ({
    name: `mcp ${tool}`, tool, path: '/mcp', surface: 'mcp', spawns: false, refusal: 'nospawn',
    base: () => ({ run_id: 'run_ffffffffffffffff', ...(tool === 'clinvk_result' ? { wait_secs: 0 } : {}) }),
    fields: {
      run_id: { t: 'str', min: 1, max: 64, role: 'runId', required: true },
      ...(tool === 'clinvk_result' ? { wait_secs: { t: 'num', min: 0, max: 300 } as Field, page: { t: 'int', min: 1 } as Field } : {}),
    },
  })),
];

// ------------------------------------------------------------------ building cases

const clone = <T>(v: T): T => structuredClone(v);

/** Sets (or deletes) `path` in `body`, creating objects on the way. */
export function setPath(body: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let at: Record<string, unknown> = body;
  for (const k of keys.slice(0, -1)) {
    if (typeof at[k] !== 'object' || at[k] === null) at[k] = {};
    at = at[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1]!;
  if (value === DELETE) delete at[last];
  else at[last] = value;
}

export function expectFor(level: Level, ep: BodyEndpoint): Expect {
  switch (level) {
    case 'schema':
    case 'reject':
      // Schema and routing refusals are 4xx everywhere (an MCP tool answers an error result).
      return 'reject';
    case 'engine':
      return ep.refusal;
    case 'valid':
      return ep.spawns ? 'spawn' : 'nospawn';
    case 'valid-nospawn':
      return 'nospawn';
    case 'any':
      return 'any';
  }
}

export function fieldCases(ep: BodyEndpoint, h: Harness, rng: Rng): Case[] {
  const cases: Case[] = [];
  for (const [field, spec] of Object.entries(ep.fields)) {
    const base = ep.base(rng, h);
    const ctx = field.includes('.') ? (field.startsWith('tasks.0.') || field.startsWith('steps.0.') ? ((base.tasks ?? base.steps) as Record<string, unknown>[])[0]! : base) : base;
    for (const m of mutationsFor(spec, h, ctx)) {
      const body = clone(base);
      setPath(body, field, m.value);
      cases.push(wrap(ep, `${ep.name} ${field}: ${m.label}`, body, expectFor(m.level, ep), m.flagPrompt));
    }
  }
  return cases;
}

export function wrap(ep: BodyEndpoint, name: string, body: unknown, expect: Expect, flagPrompt?: string): Case {
  if (ep.tool) {
    return { name, method: 'POST', path: '/mcp', mcp: true, expect, ...(flagPrompt ? { flagPrompt } : {}), body: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: ep.tool, arguments: body } } };
  }
  return { name, method: 'POST', path: ep.path, body, expect, ...(flagPrompt ? { flagPrompt } : {}) };
}

/** Bodies that are not the JSON the endpoint wants at all. */
export function rawBodyCases(ep: BodyEndpoint, h: Harness, rng: Rng): Case[] {
  if (ep.tool) return [];
  const valid = JSON.stringify(ep.base(rng, h));
  const refuse: [string, string | Uint8Array][] = [
    ['empty body', ''],
    ['open brace', '{'],
    ['truncated', valid.slice(0, Math.max(1, Math.floor(valid.length / 2)))],
    ['truncated by one', valid.slice(0, -1)],
    ['trailing garbage', `${valid}x`],
    ['two documents', `${valid}${valid}`],
    ['null', 'null'],
    ['array', '[]'],
    ['array of the body', `[${valid}]`],
    ['string', '"prompt"'],
    ['number', '123'],
    ['true', 'true'],
    ['empty object', '{}'],
    ['single quotes', valid.replace(/"/g, "'")],
    ['NaN', '{"prompt": NaN}'],
    ['comment', `/* c */${valid}`],
    ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
    ['UTF-16 body', new Uint8Array([...new TextEncoder().encode(valid)].flatMap((b) => [b, 0]))],
    ['NUL bytes', '\u0000\u0000\u0000'],
    ['deep arrays', `${'['.repeat(100_000)}${']'.repeat(100_000)}`],
    ['deep objects', `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`],
    ['unterminated deep', '['.repeat(200_000)],
    ['lone surrogate escape as key', '{"\\ud800":1}'],
    ['bad escape', '{"prompt":"\\x41"}'],
  ];
  const cases: Case[] = refuse.map(([label, body]) => ({ name: `${ep.name} raw: ${label}`, method: 'POST', path: ep.path, body, expect: 'reject' }));
  const any: [string, string, Record<string, string>][] = [
    ['BOM before JSON', `\uFEFF${valid}`, {}],
    ['duplicate keys', valid.replace(/^\{/, '{"model":1,"prompt":2,'), {}],
    ['__proto__ member', valid.replace(/^\{/, '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},'), {}],
    ['deep unknown member', valid.replace(/^\{/, `{"zz":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)},`), {}],
    ['text/plain', valid, { 'content-type': 'text/plain' }],
    ['form content-type', valid, { 'content-type': 'application/x-www-form-urlencoded' }],
    ['multipart content-type', valid, { 'content-type': 'multipart/form-data; boundary=x' }],
    ['no content-type', valid, { 'content-type': '' }],
    ['json with odd charset', valid, { 'content-type': 'application/json; charset=latin1' }],
  ];
  for (const [label, body, headers] of any) cases.push({ name: `${ep.name} raw: ${label}`, method: 'POST', path: ep.path, body, headers, expect: 'any' });
  // A page on another site may send a simple (text/plain) POST without a preflight: it must not start a run.
  cases.push({ name: `${ep.name} raw: cross-site text/plain`, method: 'POST', path: ep.path, body: valid, headers: { 'content-type': 'text/plain', origin: 'https://evil.example' }, expect: 'reject' });
  cases.push({ name: `${ep.name} raw: cross-site form`, method: 'POST', path: ep.path, body: valid, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'null' }, expect: 'reject' });
  // Over server.max_request_body_bytes (10 MB by default): 413, by the declared length and by counting.
  const limit = h.config.server.max_request_body_bytes;
  cases.push({ name: `${ep.name} raw: body over the limit`, method: 'POST', path: ep.path, body: `{"prompt":"${'x'.repeat(limit + 16)}"}`, expect: 'reject' });
  cases.push({ name: `${ep.name} raw: huge declared content-length`, method: 'POST', path: ep.path, body: valid, headers: { 'content-length': String(limit * 100) }, expect: 'reject' });
  cases.push({ name: `${ep.name} raw: non-numeric content-length`, method: 'POST', path: ep.path, body: valid, headers: { 'content-length': 'abc' }, expect: 'any' });
  return cases;
}

/** Every route and method the app answers (and the ones it does not). */
export function routeCases(h: Harness): Case[] {
  const id = h.sessions[0]!.id;
  const paths = [
    '/health', '/metrics', '/openapi.json', '/api/v1/backends', '/api/v1/sessions', `/api/v1/sessions/${id}`, '/api/v1/prompt', '/api/v1/parallel', '/api/v1/chain', '/api/v1/compare',
    '/openai/v1/models', '/openai/v1/models/claude', '/openai/v1/chat/completions', '/openai/v1/responses', '/openai/v1/responses/resp_x',
    '/anthropic/v1/messages', '/anthropic/v1/messages/count_tokens', '/api/v1', '/api/v2/prompt', '/openai/v1', '/anthropic/v1', '/', '/nope',
  ];
  // TRACE and CONNECT cannot even be built as a fetch Request: the live pass sends them over a socket.
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'PROPFIND'];
  const cases: Case[] = [];
  for (const path of paths) {
    for (const method of methods) {
      // DELETE of a seeded session would take it from later cases: every other method is fine.
      if (method === 'DELETE' && path.includes(id)) continue;
      const body = method === 'GET' || method === 'HEAD' ? undefined : '{"prompt":';
      cases.push({ name: `route ${method} ${path}`, method, path, ...(body !== undefined ? { body } : {}), expect: 'nospawn' });
    }
  }
  const ids = [
    '..%2F..%2Fetc%2Fpasswd', '%2Fetc%2Fpasswd', '..', '...', '%2e%2e', '%2e%2e%2f%2e%2e%2fetc', '..%5c..%5cwindows', '%00', 'a%00b', '%E0%A4%A', '%ZZ', '%', '%u2215etc',
    '%F0%9F%98%80', '%EF%BF%BF', '%ED%A0%80', 'ABCDEF', 'deadbeefdeadbeef', 'x'.repeat(5000), id.slice(0, 2), `${id}%20`, `${id}/extra`, '%20', '*', 'a;b', 'a?b=c', '%3Fq', '%23frag',
  ];
  for (const raw of ids) {
    cases.push({ name: `session id GET ${raw.slice(0, 40)}`, method: 'GET', path: `/api/v1/sessions/${raw}`, expect: 'nospawn' });
    // Ids are trimmed, lower-cased and matched by unique prefix: never DELETE one that could name a seeded session.
    let segment = '';
    try {
      segment = decodeURIComponent(raw.split('?')[0]!).trim();
    } catch {
      // not decodable: refused before any lookup
    }
    if (!/^[0-9a-f]+$/i.test(segment)) cases.push({ name: `session id DELETE ${raw.slice(0, 40)}`, method: 'DELETE', path: `/api/v1/sessions/${raw}`, expect: 'nospawn' });
    cases.push({ name: `model id ${raw.slice(0, 40)}`, method: 'GET', path: `/openai/v1/models/${raw}`, expect: 'nospawn' });
    cases.push({ name: `response id ${raw.slice(0, 40)}`, method: 'GET', path: `/openai/v1/responses/${raw}`, expect: 'nospawn' });
  }
  const queries = [
    'limit=0', 'limit=-1', 'limit=1001', 'limit=1e308', 'limit=abc', 'limit=1.5', 'limit=', 'offset=-1', 'offset=1e308', 'offset=9007199254740993', 'status=bogus', 'status=',
    'backend=', 'backend=%00', 'backend=..%2F..', 'limit=5&limit=6', 'limit[]=1', '%ZZ=1', 'limit=%ZZ', 'a=%E0%A4%A', `backend=${'x'.repeat(100)}`, 'backend=%F0%9F%98%80&status=completed&limit=1000&offset=0',
  ];
  for (const q of queries) cases.push({ name: `sessions query ${q.slice(0, 40)}`, method: 'GET', path: `/api/v1/sessions?${q}`, expect: 'nospawn' });
  for (const p of ['/health', '/metrics', '/openapi.json', '/api/v1/backends', '/openai/v1/models']) cases.push({ name: `query junk ${p}`, method: 'GET', path: `${p}?%ZZ=%E0&x=${'y'.repeat(2000)}`, expect: 'nospawn' });
  // Odd paths: encoded slashes, doubled slashes, dot segments, very long.
  for (const p of ['/api/v1//prompt', '/api/v1/./prompt', '/api/v1/prompt/', '/API/V1/PROMPT', '/api/v1/prompt%00', '/api/v1/%2e%2e/health', `/api/v1/${'a/'.repeat(2000)}`, '/mcp/', '/mcp/x', '/openai/v1/models/']) {
    cases.push({ name: `odd path ${p.slice(0, 40)}`, method: 'POST', path: p, body: '{"prompt":"x"}', expect: 'any' });
  }
  return cases;
}

/** Raw JSON-RPC at /mcp: no session, bad sessions, broken envelopes, unknown tools, bad arguments. */
export function mcpCases(): Case[] {
  const rpc = (body: unknown, name: string, expect: Expect = 'nospawn', mcp = true): Case => ({ name: `mcp ${name}`, method: 'POST', path: '/mcp', body, expect, mcp });
  const call = (args: unknown, tool = 'clinvk_prompt') => ({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: tool, arguments: args } });
  return [
    rpc(call({ prompt: 'x' }), 'tools/call without a session', 'reject', false),
    { name: 'mcp bad session id', method: 'POST', path: '/mcp', body: call({ prompt: 'x' }), headers: { 'mcp-session-id': '../../etc/passwd', accept: 'application/json, text/event-stream' }, expect: 'reject' },
    { name: 'mcp GET without session', method: 'GET', path: '/mcp', headers: { accept: 'text/event-stream' }, expect: 'nospawn' },
    { name: 'mcp DELETE without session', method: 'DELETE', path: '/mcp', expect: 'nospawn' },
    { name: 'mcp PUT', method: 'PUT', path: '/mcp', body: '{}', expect: 'nospawn' },
    { name: 'mcp wrong accept', method: 'POST', path: '/mcp', body: call({ prompt: 'x' }), headers: { accept: 'text/html' }, expect: 'nospawn', mcp: true },
    { name: 'mcp text/plain', method: 'POST', path: '/mcp', body: JSON.stringify(call({ prompt: 'x' })), headers: { 'content-type': 'text/plain' }, expect: 'nospawn', mcp: true },
    rpc('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":', 'truncated JSON'),
    rpc('not json', 'not JSON'),
    rpc('', 'empty body'),
    rpc('null', 'null body'),
    rpc('[]', 'empty batch'),
    rpc([call({ prompt: 'x' }), call({ prompt: '--help' })], 'batch of calls', 'any'),
    rpc({ id: 1, method: 'tools/call', params: { name: 'clinvk_prompt', arguments: { prompt: 'x' } } }, 'no jsonrpc member'),
    rpc({ jsonrpc: '1.0', id: 1, method: 'tools/list' }, 'wrong jsonrpc version'),
    rpc({ jsonrpc: '2.0', id: { x: 1 }, method: 'tools/list' }, 'object id'),
    rpc({ jsonrpc: '2.0', id: 1, method: 'nope/nope' }, 'unknown method'),
    rpc({ jsonrpc: '2.0', id: 1, method: 'tools/call' }, 'no params', 'reject'),
    rpc({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: [] }, 'array params', 'reject'),
    rpc({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'nope', arguments: {} } }, 'unknown tool', 'reject'),
    rpc({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: '../clinvk_prompt', arguments: { prompt: 'x' } } }, 'traversal tool name', 'reject'),
    rpc({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'clinvk_prompt\u0000', arguments: { prompt: 'x' } } }, 'NUL tool name', 'reject'),
    rpc(call([]), 'array arguments', 'reject'),
    rpc(call('prompt'), 'string arguments', 'reject'),
    rpc(call(null), 'null arguments', 'reject'),
    rpc(call(deep(300)), 'deep arguments', 'reject'),
    rpc(call({ prompt: 'x', extra: ['--dangerously-skip-permissions'], ephemeral: true }), 'extra is not a tool argument (ignored)', 'spawn'),
    rpc({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'nope' } }, 'cancel unknown request'),
    rpc({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '1900-01-01', capabilities: {}, clientInfo: { name: 'x', version: '0' } } }, 'second initialize in a session'),
  ];
}
