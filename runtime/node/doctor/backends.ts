// The doctor's checks of each backend: found (path), its version against the tested range that
// `npm run test:real` pins, and whether it is logged in (auth.ts). A problem with the default backend
// fails the doctor; with another backend it is a warning, whose fix also says how to turn it off.
import { backendConfig } from '../../config-defaults.ts';
import type { Config } from '../../config.ts';
import type { DoctorCheck } from '../../contract.ts';
import { notFound } from '../../engine-plan.ts';
import { BACKENDS } from '../../backends/registry.ts';
import type { BackendAdapter } from '../../backends/types.ts';
import { parseVersion, testedRange, versionVerdict } from '../../tested-versions.ts';
import { AUTH_CHECKS, tilde, type AuthDeps } from './auth.ts';

export interface BackendDeps extends AuthDeps {
  config: Config;
  which(command: string): Promise<string | undefined>;
  version(binary: string, args: string[]): Promise<string | undefined>;
}

/** A found backend, for the checks that need one (sandbox, live). */
export interface FoundBackend {
  name: string;
  path: string;
  loggedIn: boolean;
}

export async function backendChecks(deps: BackendDeps): Promise<{ checks: DoctorCheck[]; found: FoundBackend[] }> {
  const per = await Promise.all(Object.values(BACKENDS).map((a) => oneBackend(a, deps)));
  const found = per.flatMap((p) => (p.found ? [p.found] : []));
  const checks = per.flatMap((p) => p.checks);
  const enabled = Object.values(BACKENDS).filter((a) => backendConfig(deps.config, a.name).enabled);
  if (enabled.length > 0 && found.length === 0) {
    checks.push({ id: 'backends', status: 'fail', message: 'no backend CLI was found: clinvk has nothing to run', fix: 'install one: npm i -g @anthropic-ai/claude-code (or @openai/codex, @google/gemini-cli)' });
  }
  return { checks, found };
}

async function oneBackend(a: BackendAdapter, deps: BackendDeps): Promise<{ checks: DoctorCheck[]; found?: FoundBackend }> {
  const bc = backendConfig(deps.config, a.name);
  const isDefault = deps.config.default_backend === a.name;
  // Trouble with the default backend breaks a plain `clinvk "prompt"`; with another, only runs that ask for it.
  const severity = isDefault ? 'fail' : 'warn';
  const orDisable = isDefault ? '' : `; or turn it off: clinvk config set backends.${a.name}.enabled false`;
  const id = `backend.${a.name}`;
  const base = { backend: a.name };
  if (!bc.enabled) return { checks: [{ id, ...base, status: 'skip', message: `${a.name} is turned off in the config (backends.${a.name}.enabled: false)` }] };
  const command = bc.command ?? a.binary;
  const path = await deps.which(command);
  if (!path) {
    return { checks: [{ id, ...base, status: severity, message: `${a.name} not found: ${notFound(a.name, command)}`, fix: `${isDefault ? a.installHint : a.installHint.replace(/\.$/, '')}${orDisable}`, details: { command, default: isDefault } }] };
  }
  const shownPath = tilde(path, deps.home);
  const range = testedRange(a.name);
  const [line, auth] = await Promise.all([deps.version(path, a.versionArgs), AUTH_CHECKS[a.name]?.(path, deps)]);
  const version = parseVersion(line);
  const verdict = versionVerdict(version, range);
  const details = { path: shownPath, version: version ?? line, tested: range?.text, verdict, default: isDefault };
  const install = range ? `npm i -g ${range.package}@${range.max}` : a.installHint;
  const found: DoctorCheck =
    verdict === 'tested'
      ? { id, ...base, status: 'ok', message: `${a.name} ${version} at ${shownPath} (tested: ${range!.text})`, details }
      : verdict === 'older'
        ? { id, ...base, status: 'warn', message: `${a.name} ${version} at ${shownPath} is older than the tested ${range!.text}`, fix: `update it: ${install}`, details }
        : verdict === 'newer'
          ? { id, ...base, status: 'warn', message: `${a.name} ${version} at ${shownPath} is newer than the tested ${range!.text}; it may work, but clinvk has not been tested on it`, fix: `if runs fail, install the tested version: ${install}`, details }
          : { id, ...base, status: 'warn', message: `${a.name} at ${shownPath} did not tell its version (\`${command} ${a.versionArgs.join(' ')}\` failed or took too long)`, fix: `run \`${command} ${a.versionArgs.join(' ')}\` to see why${range ? `; tested: ${range.text}` : ''}`, details };
  const checks = [found];
  if (auth) {
    const status = auth.status === 'fail' ? severity : auth.status;
    checks.push({ id: `auth.${a.name}`, ...base, ...auth, status, ...(auth.fix ? { fix: `${auth.fix}${status === 'warn' ? orDisable : ''}` } : {}) });
  }
  return { checks, found: { name: a.name, path, loggedIn: auth?.status === 'ok' } };
}
