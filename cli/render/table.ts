// Plain text tables and relative times for the CLI.

/** Columns padded to their widest cell; the last column is cut to fit `width`. */
export function table(header: string[], rows: string[][], width = 120): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fixed = widths.slice(0, -1).reduce((a, w) => a + w + 2, 0);
  const last = Math.max(10, width - fixed);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? (c.length > last ? `${c.slice(0, last - 1)}…` : c) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** "just now", "5m ago", "3h ago", "2d ago", "3mo ago". */
export function relativeTime(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (Number.isNaN(s)) return '?';
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))}m ago`;
  if (s < 86_400) return `${Math.round(s / 3600)}h ago`;
  if (s < 86_400 * 60) return `${Math.round(s / 86_400)}d ago`;
  return `${Math.round(s / (86_400 * 30))}mo ago`;
}

/** 1234 → "1.2k", 2_500_000 → "2.5M". */
export function compactNumber(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** "30d" / "7" (days) / "12h" → days. */
export function parseAge(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([dh]?)$/i.exec(s.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2]?.toLowerCase() === 'h' ? n / 24 : n;
}
