// The page's only way to the server: its public HTTP APIs (REST /api/v1, /openai/v1/models), with the
// API key of this tab when there is one. The same calls work against `clinvk serve` and the Worker.

const KEY_STORAGE = 'clinvk.apiKey';

/** Kept for this tab only (sessionStorage): gone when the tab closes, never shared with other tabs. */
export const apiKey = {
  get: (): string => sessionStorage.getItem(KEY_STORAGE) ?? '',
  set: (key: string) => (key ? sessionStorage.setItem(KEY_STORAGE, key) : sessionStorage.removeItem(KEY_STORAGE)),
};

/** An error as the server worded it (problem `detail`, OpenAI `error.message`), with its status and code. */
export class ApiError extends Error {
  constructor(message: string, readonly status: number, readonly code?: string, readonly hint?: string) {
    super(message);
  }
}

let onUnauthorized: ((err: ApiError) => void) | undefined;
/** Called whenever the server answers 401: the page then asks for a key. */
export const whenUnauthorized = (fn: (err: ApiError) => void) => (onUnauthorized = fn);

async function errorOf(res: Response): Promise<ApiError> {
  let body: any;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const message = body?.detail ?? body?.error?.message ?? body?.message ?? `${res.status} ${res.statusText}`.trim();
  return new ApiError(String(message), res.status, body?.code ?? body?.error?.code, body?.hint);
}

export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const key = apiKey.get();
  if (key) headers.set('authorization', `Bearer ${key}`);
  if (init.body !== undefined) headers.set('content-type', 'application/json');
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch (err) {
    if (init.signal?.aborted) throw err;
    throw new ApiError(`the server did not answer (${err instanceof Error ? err.message : String(err)})`, 0);
  }
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401) onUnauthorized?.(err);
    throw err;
  }
  return res;
}

export const getJson = async <T>(path: string): Promise<T> => (await request(path)).json() as Promise<T>;

/** One line of the unified event stream (SPEC §2) as /api/v1/prompt streams it. */
export interface StreamLine {
  type: 'init' | 'message' | 'tool_use' | 'tool_result' | 'warning' | 'error' | 'done' | string;
  backend?: string;
  session_id?: string;
  content?: any;
}

export interface RunRequest {
  backend: string;
  prompt: string;
  model?: string;
  workdir?: string;
  session_id?: string;
  approval_mode?: string;
  sandbox_mode?: string;
}

/** POST /api/v1/prompt with stream-json: the NDJSON lines as they arrive (heartbeats skipped). */
export async function* streamRun(body: RunRequest, signal: AbortSignal): AsyncGenerator<StreamLine> {
  const res = await request('/api/v1/prompt', { method: 'POST', body: JSON.stringify({ ...body, output_format: 'stream-json' }), signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!line) continue;
      const parsed = JSON.parse(line) as StreamLine;
      if (parsed.type !== 'heartbeat') yield parsed;
    }
  }
}

export interface BackendJson {
  name: string;
  available: boolean;
  enabled: boolean;
  version?: string;
  default_model?: string;
  reason?: string;
  warm?: boolean;
}

export interface SessionJson {
  id: string;
  backend: string;
  created_at: string;
  last_used: string;
  working_dir: string;
  model?: string;
  initial_prompt?: string;
  status: string;
  turn_count: number;
  token_usage?: { input_tokens: number; output_tokens: number; total_tokens: number };
  cost_usd?: number | null;
  title?: string;
  tags?: string[];
  error_message?: string;
}
