// Which versions of each backend CLI clinvk is tested on: the ones `npm run test:real` pins in
// test/real/versions.json. The JSON is bundled into the build (esbuild inlines it), so a released
// clinvk knows its tested range without the repository, and the two can never disagree.
// Pure: the Worker bundle may import it.
import semver from 'semver';
import pinned from '../test/real/versions.json' with { type: 'json' };

/** The npm package each backend installs from (the keys of versions.json). */
export const BACKEND_PACKAGES: Record<string, string> = {
  claude: '@anthropic-ai/claude-code',
  codex: '@openai/codex',
  gemini: '@google/gemini-cli',
};

export interface TestedRange {
  package: string;
  /** Oldest and newest version tested; today the suite pins one, so both are that one. */
  min: string;
  max: string;
  /** How the range reads in a message: `2.1.332`, or `2.1.330 – 2.1.332`. */
  text: string;
}

const pins = pinned as Record<string, string>;

export function testedRange(backend: string): TestedRange | undefined {
  const pkg = BACKEND_PACKAGES[backend];
  const version = pkg ? pins[pkg] : undefined;
  if (!pkg || !version) return undefined;
  return { package: pkg, min: version, max: version, text: version };
}

/** The x.y.z in a `--version` line (`2.1.332 (Claude Code)`, `codex-cli 0.171.0`, `0.61.0`). */
export function parseVersion(line: string | undefined): string | undefined {
  const m = line ? /\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?/.exec(line) : null;
  return m && semver.valid(m[0]) ? m[0] : undefined;
}

export type VersionVerdict = 'tested' | 'older' | 'newer' | 'unknown';

/** Where `version` stands against the tested range. */
export function versionVerdict(version: string | undefined, range: TestedRange | undefined): VersionVerdict {
  if (!version || !range || !semver.valid(version)) return 'unknown';
  if (semver.lt(version, range.min)) return 'older';
  if (semver.gt(version, range.max)) return 'newer';
  return 'tested';
}

/** Does `version` meet an engines-style range (`>=20.19`)? undefined when the range cannot be read. */
export function satisfiesRange(version: string, range: string): boolean | undefined {
  const v = semver.coerce(version);
  if (!v || !semver.validRange(range)) return undefined;
  return semver.satisfies(v, range);
}
