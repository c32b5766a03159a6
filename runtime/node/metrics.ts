// Prometheus metrics with prom-client, in a registry of our own (no process-wide state).
// Metrics are created on first use by name, so handlers can add one without touching this file.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics } from '../contract.ts';

/** Help texts of the names in SPEC §6; others get a generic one. */
export const METRIC_HELP: Record<string, string> = {
  clinvk_requests_total: 'HTTP requests served, by method, route and status',
  clinvk_request_duration_seconds: 'HTTP request duration in seconds',
  clinvk_backend_executions_total: 'Backend runs finished, by backend and status',
  clinvk_backend_execution_duration_seconds: 'Backend run duration in seconds',
  clinvk_active_sessions: 'Backend runs currently executing, by backend',
  clinvk_sessions_created_total: 'Sessions created, by backend',
  clinvk_runs_in_flight: 'Runs holding a concurrency slot',
  clinvk_runs_queued: 'Runs waiting for a concurrency slot',
};

/** Agent runs take seconds to minutes; HTTP requests milliseconds to minutes. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

type Labels = Record<string, string>;
interface Entry<M> {
  metric: M;
  labelNames: string[];
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  const counters = new Map<string, Entry<Counter>>();
  const histograms = new Map<string, Entry<Histogram>>();
  const gauges = new Map<string, Entry<Gauge>>();
  const help = (name: string) => METRIC_HELP[name] ?? name.replace(/_/g, ' ');

  /** Label names are fixed by the first use; later calls are fitted to them (extra dropped, missing ''). */
  const fit = (names: string[], labels: Labels = {}): Labels => Object.fromEntries(names.map((n) => [n, labels[n] ?? '']));
  function get<M>(map: Map<string, Entry<M>>, name: string, labels: Labels | undefined, make: (labelNames: string[]) => M): Entry<M> {
    let e = map.get(name);
    if (!e) {
      const labelNames = Object.keys(labels ?? {}).sort();
      e = { metric: make(labelNames), labelNames };
      map.set(name, e);
    }
    return e;
  }
  // Metrics must never break a request: a bad name or value is dropped.
  const safe = (f: () => void) => {
    try {
      f();
    } catch {
      /* ignored */
    }
  };

  return {
    contentType: registry.contentType,
    inc(name, labels, value = 1) {
      safe(() => {
        const e = get(counters, name, labels, (labelNames) => new Counter({ name, help: help(name), labelNames, registers: [registry] }));
        e.metric.inc(fit(e.labelNames, labels), value);
      });
    },
    observe(name, value, labels) {
      safe(() => {
        const e = get(histograms, name, labels, (labelNames) => new Histogram({ name, help: help(name), labelNames, buckets: BUCKETS, registers: [registry] }));
        e.metric.observe(fit(e.labelNames, labels), value);
      });
    },
    gauge(name, value, labels) {
      safe(() => {
        const e = get(gauges, name, labels, (labelNames) => new Gauge({ name, help: help(name), labelNames, registers: [registry] }));
        e.metric.set(fit(e.labelNames, labels), value);
      });
    },
    render: () => registry.metrics(),
  };
}
