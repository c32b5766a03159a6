// Logger and Metrics for runtimes without Node (the Worker): JSON lines on console, and an
// in-memory Prometheus registry. pino and prom-client cannot be bundled for workerd.
import type { Logger, Metrics } from './contract.ts';

const SECRET_KEYS = /^(authorization|x-api-key|api[_-]?key|apikey|token|runner_token|password|secret)$/i;

function redact(value: unknown, depth = 0): unknown {
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.test(k) ? '[REDACTED]' : redact(v, depth + 1)]));
}

export function consoleLogger(bindings: Record<string, unknown> = {}, level: 'debug' | 'info' | 'warn' | 'error' = 'info'): Logger {
  const order = { debug: 10, info: 20, warn: 30, error: 40 };
  const write = (lvl: keyof typeof order) => (obj: unknown, msg?: string) => {
    if (order[lvl] < order[level]) return;
    const fields = typeof obj === 'string' ? { msg: obj } : { ...(redact(obj) as object), ...(msg ? { msg } : {}) };
    console.log(JSON.stringify({ level: lvl, time: Date.now(), ...bindings, ...fields }));
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (more) => consoleLogger({ ...bindings, ...more }, level),
  };
}

const labelKey = (labels: Record<string, string> = {}) =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');

export function memoryMetrics(): Metrics {
  const counters = new Map<string, Map<string, number>>();
  const gauges = new Map<string, Map<string, number>>();
  const summaries = new Map<string, Map<string, { sum: number; count: number }>>();
  const slot = <V>(m: Map<string, Map<string, V>>, name: string) => m.get(name) ?? m.set(name, new Map()).get(name)!;
  return {
    contentType: 'text/plain; version=0.0.4; charset=utf-8',
    inc(name, labels, value = 1) {
      const s = slot(counters, name);
      const k = labelKey(labels);
      s.set(k, (s.get(k) ?? 0) + value);
    },
    gauge(name, value, labels) {
      slot(gauges, name).set(labelKey(labels), value);
    },
    observe(name, value, labels) {
      const s = slot(summaries, name);
      const k = labelKey(labels);
      const cur = s.get(k) ?? { sum: 0, count: 0 };
      s.set(k, { sum: cur.sum + value, count: cur.count + 1 });
    },
    async render() {
      const out: string[] = [];
      const braces = (k: string) => (k ? `{${k}}` : '');
      for (const [name, s] of counters) {
        out.push(`# TYPE ${name} counter`);
        for (const [k, v] of s) out.push(`${name}${braces(k)} ${v}`);
      }
      for (const [name, s] of gauges) {
        out.push(`# TYPE ${name} gauge`);
        for (const [k, v] of s) out.push(`${name}${braces(k)} ${v}`);
      }
      for (const [name, s] of summaries) {
        out.push(`# TYPE ${name} summary`);
        for (const [k, v] of s) out.push(`${name}_sum${braces(k)} ${v.sum}`, `${name}_count${braces(k)} ${v.count}`);
      }
      return `${out.join('\n')}\n`;
    },
  };
}
