// The doctor's report kept in long-lived processes (runtime/node/doctor-cache.ts): served again within its
// time, made anew after it, shared while being made, never kept when live or when it failed.
import { describe, expect, it } from 'vitest';
import type { DoctorOptions, DoctorReport } from '../../runtime/contract.ts';
import { cachedDoctor } from '../../runtime/node/doctor-cache.ts';

function maker() {
  const calls: DoctorOptions[] = [];
  let fail = false;
  const make = async (o: DoctorOptions): Promise<DoctorReport> => {
    calls.push(o);
    await new Promise((r) => setTimeout(r, 5));
    if (fail) throw new Error('version probe crashed');
    return { ok: true, version: `report ${calls.length}`, checks: [] };
  };
  return { make, calls, failNext: (v: boolean) => (fail = v) };
}

describe('cachedDoctor', () => {
  it('answers from the last report within its time, and makes a new one after it', async () => {
    let t = 1_000;
    const m = maker();
    const doctor = cachedDoctor(m.make, { ttlMs: 30_000, now: () => t });
    expect((await doctor()).version).toBe('report 1');
    t += 29_999;
    expect((await doctor()).version).toBe('report 1');
    t += 1;
    expect((await doctor()).version).toBe('report 2');
    expect(m.calls).toHaveLength(2);
  });

  it('callers arriving while a report is made share it', async () => {
    const m = maker();
    const doctor = cachedDoctor(m.make, { ttlMs: 30_000 });
    const [a, b, c] = await Promise.all([doctor(), doctor(), doctor()]);
    expect(new Set([a.version, b.version, c.version])).toEqual(new Set(['report 1']));
    expect(m.calls).toHaveLength(1);
  });

  it('a live report is always made anew and not kept', async () => {
    const m = maker();
    const doctor = cachedDoctor(m.make, { ttlMs: 30_000 });
    await doctor({ live: true });
    await doctor({ live: true });
    expect(m.calls.map((c) => c.live)).toEqual([true, true]);
    expect((await doctor()).version).toBe('report 3'); // the live ones were not kept for plain callers
  });

  it('a failed report is not kept: the next caller tries again', async () => {
    const m = maker();
    const doctor = cachedDoctor(m.make, { ttlMs: 30_000 });
    m.failNext(true);
    await expect(doctor()).rejects.toThrow(/crashed/);
    m.failNext(false);
    expect((await doctor()).version).toBe('report 2');
  });

  it('ttlMs 0 keeps nothing; a shared report does not carry one caller’s abort signal', async () => {
    const m = maker();
    const doctor = cachedDoctor(m.make, { ttlMs: 0 });
    await doctor();
    await doctor();
    expect(m.calls).toHaveLength(2);
    const kept = cachedDoctor(m.make, { ttlMs: 30_000 });
    await kept({ signal: new AbortController().signal });
    expect(m.calls.at(-1)).toEqual({});
  });
});
