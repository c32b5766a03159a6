import { describe, expect, it } from 'vitest';
import { configSchema } from '../../../runtime/config.ts';
import { isClinvkError } from '../../../runtime/contract.ts';
import { validateExtra, resolveModel } from '../../../runtime/backends/options.ts';
import { BACKENDS, backendNames, getAdapter } from '../../../runtime/backends/registry.ts';
import { parseRetryAfter, classifyFailure } from '../../../runtime/backends/usage-limit.ts';

const error = (fn: () => unknown): { code: string; message: string } => {
  try {
    fn();
  } catch (e) {
    if (isClinvkError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('did not throw');
};

describe('validateExtra', () => {
  it('accepts allowed switches, flag value pairs and --flag=value', () => {
    const extra = ['--add-dir', '/data', '--effort=high', '--safe-mode', '-n', 'job'];
    expect(validateExtra(BACKENDS.claude!, extra)).toEqual(extra);
    expect(validateExtra(BACKENDS.codex!, ['--oss', '--local-provider', 'ollama', '-i', 'a.png'])).toEqual(['--oss', '--local-provider', 'ollama', '-i', 'a.png']);
    expect(validateExtra(BACKENDS.gemini!, ['--include-directories=/a,/b'])).toEqual(['--include-directories=/a,/b']);
    expect(validateExtra(BACKENDS.gemini!, [])).toEqual([]);
  });
  it('rejects unknown and unsafe flags, naming flag, backend and the allowed list', () => {
    const e = error(() => validateExtra(BACKENDS.claude!, ['--dangerously-skip-permissions']));
    expect(e.code).toBe('FLAG_NOT_ALLOWED');
    expect(e.message).toContain('"--dangerously-skip-permissions"');
    expect(e.message).toContain('claude');
    expect(e.message).toContain('--add-dir');
    for (const [b, flag] of [
      ['claude', '--output-format'], ['claude', '--resume'], ['claude', '--settings'], ['claude', '--mcp-config'],
      ['codex', '-c'], ['codex', '--dangerously-bypass-approvals-and-sandbox'], ['codex', '--json'], ['codex', '-o'],
      ['gemini', '--yolo'], ['gemini', '-y'], ['gemini', '--approval-mode'], ['gemini', '--output-format'], ['gemini', '-p'], ['gemini', '--raw-output'],
    ] as const) {
      expect(error(() => validateExtra(BACKENDS[b]!, [flag, 'x'])).code, `${b} ${flag}`).toBe('FLAG_NOT_ALLOWED');
    }
  });
  it('rejects bare words, --, missing values, values that look like flags, and = on switches', () => {
    const c = BACKENDS.claude!;
    expect(error(() => validateExtra(c, ['hello'])).message).toContain('"hello" is not a flag');
    expect(error(() => validateExtra(c, ['--'])).code).toBe('FLAG_NOT_ALLOWED');
    expect(error(() => validateExtra(c, ['--add-dir'])).message).toContain('needs a value');
    expect(error(() => validateExtra(c, ['--add-dir', '--dangerously-skip-permissions'])).message).toContain('must not start with "-"');
    expect(error(() => validateExtra(c, ['--add-dir=-x'])).message).toContain('must not start with "-"');
    expect(error(() => validateExtra(c, ['--safe-mode=1'])).message).toContain('takes no value');
    expect(error(() => validateExtra(c, ['--add-dir', '/a', '/b'])).message).toContain('"/b" is not a flag');
  });
});

describe('resolveModel', () => {
  const config = configSchema.parse({ backends: { claude: { model: 'fast', models: { best: 'claude-opus-5-5' } }, codex: { model: 'gpt-x' } } });
  it('maps aliases: config first, then built-ins', () => {
    expect(resolveModel(config, 'claude', 'best')).toBe('claude-opus-5-5');
    expect(resolveModel(config, 'claude', 'balanced')).toBe('sonnet');
    expect(resolveModel(config, 'gemini', 'fast')).toBe('gemini-3.5-flash-lite');
    expect(resolveModel(config, 'gemini', 'best')).toBe('pro');
    expect(resolveModel(config, 'codex', 'best')).toBe('gpt-6.1-sol');
  });
  it('passes other names through; no model → configured model (aliases mapped) → undefined', () => {
    expect(resolveModel(config, 'claude', 'claude-sonnet-5-5')).toBe('claude-sonnet-5-5');
    expect(resolveModel(config, 'claude')).toBe('haiku');
    expect(resolveModel(config, 'codex', '')).toBe('gpt-x');
    expect(resolveModel(config, 'gemini')).toBeUndefined();
  });
});

describe('registry', () => {
  it('lists the three backends and finds each', () => {
    expect(backendNames()).toEqual(['claude', 'codex', 'gemini']);
    expect(getAdapter('codex').binary).toBe('codex');
    expect(getAdapter('gemini').installHint).toContain('npm i -g @google/gemini-cli');
    expect(getAdapter('claude').installHint).toContain('npm i -g @anthropic-ai/claude-code');
    expect(getAdapter('codex').loginHint).toContain('codex login');
  });
  it('an unknown name is UNKNOWN_BACKEND with the choices', () => {
    expect(error(() => getAdapter('gpt'))).toEqual({ code: 'UNKNOWN_BACKEND', message: 'unknown backend "gpt"; choose one of: claude, codex, gemini' });
    expect(error(() => getAdapter('toString')).code).toBe('UNKNOWN_BACKEND');
  });
});

describe('usage limits', () => {
  const now = new Date(2026, 10, 24, 10, 0, 0);
  it('parses the reset forms', () => {
    expect(parseRetryAfter(`Claude AI usage limit reached|${Math.floor(now.getTime() / 1000) + 3600}`, now)).toBe(3600);
    expect(parseRetryAfter("You've hit your usage limit. Try again in 2 hours 5 minutes.", now)).toBe(7500);
    expect(parseRetryAfter('Rate limit reached. Please try again in 1.5s.', now)).toBe(2);
    expect(parseRetryAfter('5-hour limit reached ∙ resets 3pm', now)).toBe(5 * 3600);
    expect(parseRetryAfter('limit reached · resets 9:30am (Europe/Berlin)', now)).toBe(23.5 * 3600);
    expect(parseRetryAfter('limit reached', now)).toBeUndefined();
  });
  it('classifies', () => {
    expect(classifyFailure('Not logged in · Please run /login')).toEqual({ category: 'auth' });
    expect(classifyFailure('whatever', 401)).toEqual({ category: 'auth' });
    expect(classifyFailure('Too many requests', 429)).toEqual({ category: 'rate_limit' });
    expect(classifyFailure('API Error: 529 Overloaded.')).toEqual({ category: 'other' });
  });
});
