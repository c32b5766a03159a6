// The doctor's checks of this machine and clinvk's own files: Node against package.json `engines`,
// codex's Linux sandbox (bubblewrap), the config file, and the sessions folder with its lock.
import pkg from '../../../package.json' with { type: 'json' };
import type { Config } from '../../config.ts';
import { isClinvkError, type DoctorCheck } from '../../contract.ts';
import { satisfiesRange } from '../../tested-versions.ts';
import { loadConfig } from '../config.ts';
import { createSessionStore, sessionsDir } from '../sessions.ts';
import { runShort } from '../short-command.ts';
import { tilde } from './auth.ts';

type Env = Record<string, string | undefined>;

export function nodeCheck(version: string): DoctorCheck {
  const range = (pkg as { engines?: { node?: string } }).engines?.node ?? '*';
  const fits = satisfiesRange(version, range);
  if (fits === false) return { id: 'node', status: 'fail', message: `Node ${version} is outside the supported range ${range}`, fix: `install a Node version that meets ${range} (e.g. the current LTS)`, details: { version, supported: range } };
  return { id: 'node', status: 'ok', message: `Node ${version} (clinvk supports ${range})`, details: { version, supported: range } };
}

const SANDBOX_FIX = 'install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`; Fedora: `sudo dnf install bubblewrap`), or run codex with --sandbox none';

/** codex sandboxes its tool runs with bwrap on Linux: present, and able to make a sandbox here. */
export async function codexSandboxCheck(which: (c: string) => Promise<string | undefined>, env: Env, platform: string, home: string): Promise<DoctorCheck> {
  const id = 'sandbox.codex';
  if (platform !== 'linux') return { id, backend: 'codex', status: 'skip', message: `codex's sandbox needs nothing extra on ${platform}` };
  const path = await which('bwrap');
  if (!path) return { id, backend: 'codex', status: 'warn', message: "bwrap (bubblewrap) is not on PATH: codex's sandboxed runs (--sandbox read-only or workspace) cannot start", fix: SANDBOX_FIX };
  // The smallest sandbox there is: a read-only view of / running `true`. Fails where user namespaces are off.
  const r = await runShort(path, ['--ro-bind', '/', '/', '--dev', '/dev', 'true'], { env, timeoutMs: 10_000 });
  const shown = tilde(path, home);
  if (r?.exitCode === 0) return { id, backend: 'codex', status: 'ok', message: `bwrap at ${shown} can make codex's sandbox`, details: { path: shown } };
  const why = (r?.stderr ?? '').split('\n').find((l) => l.trim()) ?? (r ? `exit ${r.exitCode}` : 'it did not answer in 10 s');
  return {
    id,
    backend: 'codex',
    status: 'warn',
    message: `bwrap at ${shown} cannot make a sandbox here: ${why.trim().slice(0, 160)}`,
    fix: 'allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu kernel.apparmor_restrict_unprivileged_userns=0), or run codex with --sandbox none',
    details: { path: shown },
  };
}

/** Loads the config as every command does; on an error the rest of the doctor goes on with the defaults. */
export async function configCheck(env: Env, path: string | undefined, home: string): Promise<{ check: DoctorCheck; config?: Config }> {
  try {
    const loaded = await loadConfig({ env, ...(path !== undefined ? { path } : {}) });
    const where = tilde(loaded.path, home);
    const check: DoctorCheck = loaded.exists
      ? { id: 'config', status: 'ok', message: `config ${where} is valid`, details: { path: where, exists: true } }
      : { id: 'config', status: 'ok', message: `no config file at ${where}: the defaults apply`, details: { path: where, exists: false } };
    return { check, config: loaded.config };
  } catch (err) {
    if (!isClinvkError(err)) throw err;
    // The validation's own lines already name the file and the key (config-validate.ts).
    const lines = err.message.split('\n').map((l) => (home ? l.split(home).join('~') : l));
    return {
      check: {
        id: 'config',
        status: 'fail',
        message: `config is not valid: ${lines.join('; ')}`,
        // config.ts's hint for a YAML syntax error already says what to do; a schema error names the key.
        fix: err.hint?.startsWith('fix') ? err.hint : `fix or remove the key named (${err.hint ?? 'see `clinvk config show`'}), or move the file away to use the defaults`,
        details: { problems: lines },
      },
    };
  }
}

/** The sessions folder takes an atomic write under the store's own lock, and the lock shows as held. */
export async function sessionsCheck(clinvkHome: string, home: string): Promise<DoctorCheck> {
  const dir = sessionsDir(clinvkHome);
  const where = tilde(dir, home);
  try {
    const { lockSeen } = await createSessionStore({ dir }).probe();
    if (!lockSeen) {
      return { id: 'sessions', status: 'fail', message: `the session lock in ${where} is not seen while held: two clinvk processes could write at once`, fix: 'put CLINVK_HOME on a local file system (the lock is a folder made with mkdir)', details: { path: where } };
    }
    return { id: 'sessions', status: 'ok', message: `sessions folder ${where} is writable and its lock works`, details: { path: where } };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { id: 'sessions', status: 'fail', message: `sessions folder ${where}: ${message}`, fix: `make ${where} writable by this user (or set CLINVK_HOME to a folder that is), or run with --ephemeral`, details: { path: where } };
  }
}
