// `clinvk doctor` for people: one line per check marked ✓ / ! / ✗ (– for a check that did not
// apply), the fix under each warning and failure, and a last line that counts them, as `brew doctor`
// and `gh` do. Colours only on a terminal, and never with NO_COLOR.
import type { DoctorCheck, DoctorReport } from '../../runtime/contract.ts';

const MARK: Record<DoctorCheck['status'], string> = { ok: '✓', warn: '!', fail: '✗', skip: '–' };
const COLOR: Record<DoctorCheck['status'], string> = { ok: '32', warn: '33', fail: '31', skip: '2' };

export function renderDoctor(report: DoctorReport, color: boolean): string {
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const lines = [`clinvk ${report.version} doctor`, ''];
  for (const c of report.checks) {
    lines.push(`${paint(COLOR[c.status], MARK[c.status])} ${c.message}`);
    if (c.fix && c.status !== 'ok') lines.push(`  ${paint('2', '→')} ${c.fix}`);
  }
  const fails = report.checks.filter((c) => c.status === 'fail').length;
  const warns = report.checks.filter((c) => c.status === 'warn').length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  lines.push('');
  if (fails === 0 && warns === 0) lines.push(paint('32', 'Everything is ready.'));
  else {
    const counts = [...(fails ? [paint('31', plural(fails, 'problem'))] : []), ...(warns ? [plural(warns, 'warning')] : [])];
    lines.push(`${counts.join(', ')}: see the lines marked ${[...(fails ? ['✗'] : []), ...(warns ? ['!'] : [])].join(' and ')} above.`);
  }
  return `${lines.join('\n')}\n`;
}


