// Is each backend logged in? Asked without the network: the CLI's own status command where it has
// one that answers offline (claude `auth status`, codex `login status`, both checked on the real CLIs
// with a scratch HOME and no network), else the auth files and variables the CLI reads itself
// (gemini has no status command; its headless auth choice is copied from gemini 0.61.0's
// validateNonInteractiveAuth). Nothing here prints a secret: only which variable or file is used.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DoctorCheck } from '../../contract.ts';
import { runShort } from '../short-command.ts';

type Env = Record<string, string | undefined>;

export interface AuthDeps {
  /** The environment the backends get (child-env.ts). */
  env: Env;
  home: string;
  timeoutMs: number;
}

export type AuthResult = Pick<DoctorCheck, 'status' | 'message' | 'fix' | 'details'>;

const exists = (p: string) => stat(p).then(() => true, () => false);
const set = (env: Env, names: string[]) => names.filter((n) => (env[n] ?? '') !== '');
const readJson = async (p: string): Promise<unknown> => JSON.parse(await readFile(p, 'utf8'));
/** Home-relative paths read as `~/…` (they also go out over HTTP and MCP). */
export const tilde = (p: string, home: string) => (home && p.startsWith(`${home}/`) ? `~${p.slice(home.length)}` : p);

const CLAUDE_FIX = 'run `claude auth login` (or `claude setup-token` and set CLAUDE_CODE_OAUTH_TOKEN), or set ANTHROPIC_API_KEY';

async function claude(path: string, d: AuthDeps): Promise<AuthResult> {
  const r = await runShort(path, ['auth', 'status', '--json'], { env: d.env, timeoutMs: d.timeoutMs });
  const status = r ? jsonObject(r.stdout) : undefined;
  if (status && typeof status.loggedIn === 'boolean') {
    const details = { source: 'claude auth status', method: status.authMethod, apiKeySource: status.apiKeySource };
    if (status.loggedIn) {
      const via = [status.authMethod, status.apiKeySource].filter((x) => typeof x === 'string' && x !== '').join(' via ');
      return { status: 'ok', message: `claude is logged in${via ? ` (${via})` : ''}`, details };
    }
    return { status: 'fail', message: 'claude is not logged in (claude auth status)', fix: CLAUDE_FIX, details };
  }
  // An older claude without `auth status`, or one that did not answer: what it would read.
  const dir = d.env.CLAUDE_CONFIG_DIR || join(d.home, '.claude');
  const file = join(dir, '.credentials.json');
  const vars = set(d.env, ['ANTHROPIC_API_KEY', 'CLAUDE_CODE_OAUTH_TOKEN', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX']);
  const found = [...((await exists(file)) ? [tilde(file, d.home)] : []), ...vars];
  const details = { source: 'files and variables', found };
  if (found.length) return { status: 'ok', message: `claude credentials found: ${found.join(', ')} (claude auth status did not answer)`, details };
  return { status: 'fail', message: `claude is not logged in: no ${tilde(file, d.home)}, no ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN`, fix: CLAUDE_FIX, details };
}

const CODEX_FIX = 'run `codex login` (or `printenv OPENAI_API_KEY | codex login --with-api-key`), or set CODEX_API_KEY';

async function codex(path: string, d: AuthDeps): Promise<AuthResult> {
  const r = await runShort(path, ['login', 'status'], { env: d.env, timeoutMs: d.timeoutMs });
  const said = r ? `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).filter(Boolean) : [];
  // "API key configured - sk-proj-***67890": the masked key stays out of the report.
  const first = (said.find((l) => !/^WARNING:/.test(l)) ?? '').replace(/\s+-\s+\S+$/, '');
  const envKey = set(d.env, ['CODEX_API_KEY']);
  if (r && r.exitCode === 0) return { status: 'ok', message: `codex is logged in (${first || 'codex login status'})`, details: { source: 'codex login status', status: first } };
  if (envKey.length) return { status: 'ok', message: 'codex uses CODEX_API_KEY (codex login status: not logged in)', details: { source: 'CODEX_API_KEY' } };
  if (r && said.some((l) => /^Not logged in/i.test(l))) return { status: 'fail', message: 'codex is not logged in (codex login status)', fix: CODEX_FIX, details: { source: 'codex login status' } };
  const file = join(d.env.CODEX_HOME || join(d.home, '.codex'), 'auth.json');
  if (r && said.some((l) => /^Error/i.test(l))) {
    return { status: 'fail', message: `codex cannot read its login: ${said.find((l) => /^Error/i.test(l))!.slice(0, 160)}`, fix: `remove ${tilde(file, d.home)} and run \`codex login\` again`, details: { source: 'codex login status' } };
  }
  // `login status` did not answer: the file it would read.
  if (await exists(file)) return { status: 'ok', message: `codex credentials found: ${tilde(file, d.home)} (codex login status did not answer)`, details: { source: 'files', found: [tilde(file, d.home)] } };
  return { status: 'fail', message: `codex is not logged in: no ${tilde(file, d.home)}, no CODEX_API_KEY`, fix: CODEX_FIX, details: { source: 'files and variables' } };
}

const GEMINI_FIX = 'set GEMINI_API_KEY, or run `gemini` once in a terminal and log in with Google (Vertex AI: GOOGLE_GENAI_USE_VERTEXAI=true with GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION)';

/** KEY=value lines of a .env file (gemini loads ~/.gemini/.env or ~/.env when the variable is unset). */
async function dotEnv(p: string): Promise<Env> {
  const text = await readFile(p, 'utf8').catch(() => '');
  const out: Env = {};
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!.trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

/** gemini 0.61.0's getAuthTypeFromEnv. */
function authTypeFromEnv(env: Env): string | undefined {
  if (env.GOOGLE_GENAI_USE_GCA === 'true') return 'oauth-personal';
  if (env.GOOGLE_GENAI_USE_VERTEXAI === 'true') return 'vertex-ai';
  if (env.GOOGLE_GEMINI_BASE_URL) return 'gateway';
  if (env.GEMINI_API_KEY) return 'gemini-api-key';
  if (env.CLOUD_SHELL === 'true' || env.GEMINI_CLI_USE_COMPUTE_ADC === 'true') return 'compute-default-credentials';
  return undefined;
}

async function gemini(_path: string, d: AuthDeps): Promise<AuthResult> {
  const home = d.env.GEMINI_CLI_HOME || d.home;
  const dir = join(home, '.gemini');
  const settingsFile = join(dir, 'settings.json');
  const settings = (await readJson(settingsFile).catch(() => undefined)) as { security?: { auth?: { selectedType?: string } }; selectedAuthType?: string } | undefined;
  const selected = settings?.security?.auth?.selectedType ?? settings?.selectedAuthType;
  const fromFiles = { ...(await dotEnv(join(home, '.env'))), ...(await dotEnv(join(dir, '.env'))) };
  // A variable set (to something) wins over the .env files, as gemini's dotenv loading does.
  const env: Env = { ...fromFiles, ...Object.fromEntries(Object.entries(d.env).filter(([, v]) => v)) };
  const type = selected ?? authTypeFromEnv(env);
  const from = selected ? `${tilde(settingsFile, d.home)} security.auth.selectedType` : 'the environment';
  const details = { source: 'files and variables', method: type, chosenBy: type ? from : undefined };
  const ok = (how: string): AuthResult => ({ status: 'ok', message: `gemini is logged in (${type}: ${how})`, details });
  const no = (message: string, fix = GEMINI_FIX): AuthResult => ({ status: 'fail', message, fix, details });
  switch (type) {
    case undefined:
      return no(`gemini is not logged in: no auth type in ${tilde(settingsFile, d.home)} and none of GEMINI_API_KEY, GOOGLE_GENAI_USE_VERTEXAI, GOOGLE_GENAI_USE_GCA set`);
    case 'oauth-personal': {
      const creds = join(dir, 'oauth_creds.json');
      return (await exists(creds)) ? ok(tilde(creds, d.home)) : no(`gemini is set to log in with Google but ${tilde(creds, d.home)} is missing`, 'run `gemini` once in a terminal and log in with Google, or set GEMINI_API_KEY');
    }
    case 'gemini-api-key':
      return env.GEMINI_API_KEY ? ok(`GEMINI_API_KEY${d.env.GEMINI_API_KEY ? '' : ' from a .env file'}`) : no(`gemini is set to use an API key (${from}) but GEMINI_API_KEY is not set`, 'set GEMINI_API_KEY');
    case 'vertex-ai':
      if (env.GOOGLE_CLOUD_PROJECT && env.GOOGLE_CLOUD_LOCATION) return ok('GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION');
      if (env.GOOGLE_API_KEY) return ok('GOOGLE_API_KEY');
      return no('gemini is set to use Vertex AI but neither GOOGLE_CLOUD_PROJECT with GOOGLE_CLOUD_LOCATION nor GOOGLE_API_KEY is set', 'set GOOGLE_CLOUD_PROJECT and GOOGLE_CLOUD_LOCATION (or GOOGLE_API_KEY for express mode)');
    case 'gateway':
      return ok(`GOOGLE_GEMINI_BASE_URL`);
    case 'compute-default-credentials':
      return ok('the machine\'s default credentials');
    default:
      return no(`gemini's auth type "${type}" (${from}) is not one clinvk knows`, `check security.auth.selectedType in ${tilde(settingsFile, d.home)}`);
  }
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  try {
    const v: unknown = JSON.parse(text.slice(start));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** One login check per backend; a backend not listed here is reported as not checked. */
export const AUTH_CHECKS: Record<string, (path: string, deps: AuthDeps) => Promise<AuthResult>> = { claude, codex, gemini };
