// The session store of a remote runtime: the runners' own /api/v1/sessions, with ids tagged by runner.
import { ClinvkError, type Session, type SessionFilter, type SessionStore } from './contract.ts';
import { sessionFromJson, type SessionJson } from './wire.ts';

interface Runner {
  url: string;
  /** The runner's name (RUNNER_URL), written before each of its session ids. */
  name: string;
}

export interface RemoteSessionsOptions {
  runners: Runner[];
  fetch: (input: string, init?: RequestInit) => Promise<Response>;
  headers: () => Record<string, string>;
  split: (id: string) => { runner?: string; id: string };
}

export function createRemoteSessions(opts: RemoteSessionsOptions): SessionStore {
  const tagged = (r: Runner, s: Session): Session => ({ ...s, id: `${r.name}-${s.id}` });
  const runnerOf = (id: string) => {
    const { runner: name, id: local } = opts.split(id);
    const runner = opts.runners.find((r) => r.name === name) ?? (opts.runners.length === 1 ? opts.runners[0] : undefined);
    if (!runner) throw new ClinvkError('SESSION_NOT_FOUND', `session ${id} is not known to any runner`);
    return { runner, local };
  };
  const call = async (url: string, init: RequestInit = {}) => {
    const res = await opts.fetch(url, { ...init, headers: opts.headers() });
    if (res.status === 404) throw new ClinvkError('SESSION_NOT_FOUND', 'session not found', { hint: 'list sessions with GET /api/v1/sessions' });
    if (!res.ok) throw new ClinvkError('SESSION_STORE', `runner answered ${res.status}`);
    return res;
  };
  const unsupported = (what: string) => async (): Promise<never> => {
    throw new ClinvkError('INVALID_INPUT', `${what} is done on the runner, not through the edge`);
  };

  return {
    async get(id) {
      const { runner, local } = runnerOf(id);
      return tagged(runner, sessionFromJson((await (await call(`${runner.url}/api/v1/sessions/${encodeURIComponent(local)}`)).json()) as SessionJson));
    },
    async delete(id) {
      const { runner, local } = runnerOf(id);
      await call(`${runner.url}/api/v1/sessions/${encodeURIComponent(local)}`, { method: 'DELETE' });
    },
    async list(filter: SessionFilter = {}) {
      const q = new URLSearchParams();
      if (filter.backend) q.set('backend', filter.backend);
      if (filter.status) q.set('status', filter.status);
      q.set('limit', String((filter.limit ?? 50) + (filter.offset ?? 0)));
      const all: Session[] = [];
      let total = 0;
      let failed: unknown;
      let answered = 0;
      for (const runner of opts.runners) {
        let body: { sessions: SessionJson[]; total: number };
        try {
          body = (await (await call(`${runner.url}/api/v1/sessions?${q}`)).json()) as typeof body;
        } catch (err) {
          // A runner that is down lists nothing; the others still answer (the edge's /health says which is down).
          failed = err;
          continue;
        }
        answered++;
        total += body.total;
        all.push(...body.sessions.map((s) => tagged(runner, sessionFromJson(s))));
      }
      if (answered === 0) throw failed;
      all.sort((a, b) => b.lastUsed.localeCompare(a.lastUsed));
      const offset = filter.offset ?? 0;
      return { sessions: all.slice(offset, offset + (filter.limit ?? 50)), total };
    },
    async count() {
      return (await this.list({ limit: 1 })).total;
    },
    create: unsupported('creating a session'),
    update: unsupported('updating a session'),
    clean: unsupported('cleaning sessions'),
  };
}
