// API keys: where a caller puts one (`Authorization: Bearer` for OpenAI SDKs, `X-Api-Key` for
// Anthropic's) and a constant-time check. Keys are compared as SHA-256 digests, so neither the
// length nor a matching prefix of a configured key shows in the time taken.
const encoder = new TextEncoder();

export function presentedKey(headers: Headers): string | undefined {
  const auth = headers.get('authorization');
  const m = auth ? /^Bearer\s+(.+)$/i.exec(auth.trim()) : null;
  if (m) return m[1]!.trim();
  const key = headers.get('x-api-key');
  return key ? key.trim() : undefined;
}

const digest = async (s: string) => new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(s)));

/** Same time whatever the contents: no early exit. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** Returns the index of the matching key, or -1. Every key is compared, whichever matches. */
export function createKeyChecker(keys: string[]): (presented: string | undefined) => Promise<number> {
  const digests = Promise.all(keys.map(digest));
  return async (presented) => {
    if (presented === undefined || keys.length === 0) return -1;
    const d = await digest(presented);
    let found = -1;
    for (const [i, k] of (await digests).entries()) if (constantTimeEqual(d, k) && found === -1) found = i;
    return found;
  };
}
