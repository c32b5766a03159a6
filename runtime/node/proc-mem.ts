// Resident memory of a whole process group, read from /proc (Linux). A live agent is a tree (node
// wrappers, re-launched node processes, tool runs), so the leader's RSS alone under-counts it.
import { readdir, readFile } from 'node:fs/promises';

const PAGE = 4096;

/** Sum of the RSS of every process in group `pgid`, in bytes; undefined where /proc cannot be read. */
export async function groupRssBytes(pgid: number): Promise<number | undefined> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return undefined;
  }
  let total = 0;
  await Promise.all(
    names.filter((n) => /^\d+$/.test(n)).map(async (n) => {
      try {
        const stat = await readFile(`/proc/${n}/stat`, 'utf8');
        // Fields after the parenthesised command name: state ppid pgrp … rss is the 24th field overall.
        const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(rest[2]) !== pgid || rest[0] === 'Z') return;
        total += Number(rest[21]) * PAGE;
      } catch {
        /* the process ended meanwhile */
      }
    }),
  );
  return total;
}
