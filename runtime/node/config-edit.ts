// `clinvk config get|set`: reading and writing one setting by dot key. Writes keep the user's
// comments (yaml Document API), are checked against the schema and are atomic.
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type * as z from 'zod/mini';
import { backendConfig } from '../config-defaults.ts';
import { ClinvkError } from '../contract.ts';
import { configSchema, type Config } from '../config.ts';
import { parseFile } from './config.ts';
import { validate } from './config-validate.ts';

const yaml = () => import('./yaml.ts');

type Kind = 'string' | 'number' | 'boolean' | 'array' | 'enum' | 'object' | 'record';
interface SchemaNode {
  kind: Kind;
  schema: z.ZodMiniType;
}

/** The zod node at a dot key, with `default`/`optional` wrappers removed. */
function nodeAt(parts: string[]): { node?: SchemaNode; parentKeys: string[]; failedAt: number } {
  let cur = unwrap(configSchema as unknown as z.ZodMiniType);
  for (let i = 0; i < parts.length; i++) {
    const def = (cur as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
    if (def.type === 'object') {
      const shape = def.shape as Record<string, z.ZodMiniType>;
      const next = shape[parts[i]!];
      if (!next) return { parentKeys: Object.keys(shape), failedAt: i };
      cur = unwrap(next);
    } else if (def.type === 'record') {
      cur = unwrap(def.valueType as z.ZodMiniType);
    } else {
      return { parentKeys: [], failedAt: i };
    }
  }
  const type = (cur as unknown as { _zod: { def: { type: string } } })._zod.def.type;
  return { node: { kind: type as Kind, schema: cur }, parentKeys: [], failedAt: -1 };
}

function unwrap(s: z.ZodMiniType): z.ZodMiniType {
  let cur = s as unknown as { _zod: { def: { type: string; innerType?: unknown } } };
  while (['default', 'optional', 'nullable', 'prefault'].includes(cur._zod.def.type) && cur._zod.def.innerType) {
    cur = cur._zod.def.innerType as typeof cur;
  }
  return cur as unknown as z.ZodMiniType;
}

function unknownKey(dotKey: string, parts: string[], failedAt: number, siblings: string[]): ClinvkError {
  const bad = parts[failedAt] ?? '';
  const near = siblings.filter((k) => distance(k, bad) <= Math.max(2, Math.floor(bad.length / 3)) || k.includes(bad) || bad.includes(k));
  const prefix = parts.slice(0, failedAt).join('.');
  const list = (near.length > 0 ? near : siblings).map((k) => (prefix ? `${prefix}.${k}` : k));
  const hint = list.length > 0 ? `${near.length > 0 ? 'did you mean' : 'known keys here'}: ${list.join(', ')}` : undefined;
  return new ClinvkError('INVALID_INPUT', `unknown config key "${dotKey}"`, hint ? { hint } : {});
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}

const splitKey = (dotKey: string) => dotKey.split('.').filter((p) => p.length > 0);

/** The value at a dot key (`backends.claude.model`); a backend not in the file reads as its defaults. */
export function getConfigValue(config: Config, dotKey: string): unknown {
  const parts = splitKey(dotKey);
  const at = nodeAt(parts);
  if (!at.node) throw unknownKey(dotKey, parts, at.failedAt, at.parentKeys);
  let cur: unknown = config;
  for (let i = 0; i < parts.length; i++) {
    if (i === 1 && parts[0] === 'backends') cur = backendConfig(config, parts[1]!);
    else cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[parts[i]!] : undefined;
  }
  return cur;
}

const BOOLS: Record<string, boolean> = { true: true, false: false, yes: true, no: false, on: true, off: false, '1': true, '0': false };

async function parseRaw(dotKey: string, node: SchemaNode, raw: string): Promise<unknown> {
  const bad = (what: string) => new ClinvkError('INVALID_INPUT', `${dotKey}: expected ${what}, got "${raw}"`);
  const text = raw.trim();
  switch (node.kind) {
    case 'boolean': {
      const b = BOOLS[text.toLowerCase()];
      if (b === undefined) throw bad('true or false');
      return b;
    }
    case 'number': {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) throw bad('a number');
      return n;
    }
    case 'array':
      if (text.startsWith('[')) return parseYamlValue(dotKey, text);
      return text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    case 'object':
    case 'record':
      return parseYamlValue(dotKey, text);
    default:
      return raw;
  }
}

async function parseYamlValue(dotKey: string, text: string): Promise<unknown> {
  const { parseYaml } = await yaml();
  try {
    return parseYaml(text);
  } catch (err) {
    throw new ClinvkError('INVALID_INPUT', `${dotKey}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** `clinvk config set`: types the raw string by the schema, validates the whole file, keeps comments, writes atomically. */
export async function setConfigValue(path: string, dotKey: string, rawValue: string): Promise<void> {
  const parts = splitKey(dotKey);
  const at = nodeAt(parts);
  if (!at.node || parts.length === 0) throw unknownKey(dotKey, parts, Math.max(at.failedAt, 0), at.parentKeys);
  const value = await parseRaw(dotKey, at.node, rawValue);
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ClinvkError('CONFIG_INVALID', `${path}: cannot read: ${(err as Error).message}`);
  }
  const doc = (await yaml()).parseDocument(text);
  if (doc.errors.length > 0) await parseFile(path, text); // throws the formatted syntax error
  if (doc.contents === null) (doc as { contents: unknown }).contents = doc.createNode({});
  doc.setIn(parts, value);
  validate(path, doc.toJS() ?? {});
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(tmp, doc.toString(), { mode: 0o600 });
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw new ClinvkError('CONFIG_INVALID', `${path}: cannot write: ${(err as Error).message}`, { cause: err });
  }
}
