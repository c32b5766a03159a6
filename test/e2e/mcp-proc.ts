// Process-tree helpers for the MCP e2e tests, read from /proc (PID 1 here does not reap zombies,
// so a killed process stays as state Z: that counts as gone).
import { readdirSync, readFileSync } from 'node:fs';

function stat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0]!, ppid: Number(rest[1]) };
  } catch {
    return undefined;
  }
}

export const alive = (pid: number) => {
  const s = stat(pid);
  return s !== undefined && s.state !== 'Z' && s.state !== 'X';
};

/** Every live process below `root`, found by parent links. */
export function descendants(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (s && s.state !== 'Z') parents.set(s.ppid, [...(parents.get(s.ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const walk = (p: number) => (parents.get(p) ?? []).forEach((c) => (out.push(c), walk(c)));
  walk(root);
  return out;
}
