// The README's approval/sandbox table is generated from the committed measurement
// (test/real/approval-matrix.json, `npm run approval-matrix`): it must still show what the JSON says.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MATRIX_FILE, README_END, README_START, renderTable, replaceRegion, type MatrixFile } from '../real/approval/render.ts';

const file = JSON.parse(readFileSync(MATRIX_FILE, 'utf8')) as MatrixFile;

describe('the approval matrix in the README', () => {
  it('is the table rendered from test/real/approval-matrix.json (npm run approval-matrix -- --readme-only rewrites it)', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(replaceRegion(readme, renderTable(file))).toBe(readme);
  });
  it('covers every backend × approval × sandbox × action', () => {
    expect(file.cells).toHaveLength(3 * 3 * 4 * 3);
    expect(new Set(file.cells.map((c) => `${c.backend}/${c.approval}/${c.sandbox}/${c.action}`)).size).toBe(file.cells.length);
  });
  it('a README without the markers is an error, not a silent no-op', () => {
    expect(() => replaceRegion('# no table here', 'x')).toThrow(/approval-matrix:start/);
    expect(replaceRegion(`a\n${README_START}\nold\n${README_END}\nb`, 'new')).toBe(`a\n${README_START}\nnew\n${README_END}\nb`);
  });
});
