// GET / and /console/*: the web console's built files (scripts/build-console.mjs) from memory. Pure:
// the same handler serves them from `clinvk serve` and from the Worker. The page may load only its
// own script and style and talk only to this origin (CSP); it is gzip-compressed when the client
// accepts it; hashed files are cached for a year, the HTML is revalidated by ETag.

export interface ConsoleAsset {
  type: string;
  /** A quoted strong ETag. */
  etag: string;
  /** Content-hashed name: cache for good. */
  immutable: boolean;
  body: string;
  /** The body gzip-compressed, base64. */
  gzip: string;
}
export type ConsoleAssets = Record<string, ConsoleAsset>;

/** No inline script or style, nothing from another origin, not framed, no plugins. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const decodeBase64 = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

const acceptsGzip = (header: string | null) =>
  (header ?? '').split(',').some((part) => {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return (name === 'gzip' || name === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });

/** Whether If-None-Match names this ETag (a list, weak forms, or `*`). */
const matches = (header: string | null, etag: string) =>
  header !== null && header.split(',').some((t) => ['*', etag, `W/${etag}`].includes(t.trim()));

/** Returns undefined for paths that are not the console's, so the app's 404 answers them. */
export function createConsole(assets: ConsoleAssets): (req: Request, pathname: string) => Response | undefined {
  const gzipped = new Map<string, Uint8Array>(); // decoded once, on first use
  return (req, pathname) => {
    const asset = Object.hasOwn(assets, pathname) ? assets[pathname] : undefined;
    if (!asset || (req.method !== 'GET' && req.method !== 'HEAD')) return undefined;
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'content-type': asset.type,
      etag: asset.etag,
      'cache-control': asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      vary: 'Accept-Encoding',
    };
    if (matches(req.headers.get('if-none-match'), asset.etag)) return new Response(null, { status: 304, headers });
    let body: string | Uint8Array = asset.body;
    if (acceptsGzip(req.headers.get('accept-encoding'))) {
      let bytes = gzipped.get(pathname);
      if (!bytes) gzipped.set(pathname, (bytes = decodeBase64(asset.gzip)));
      body = bytes;
      headers['content-encoding'] = 'gzip';
    }
    // workerd would compress again a body sent with Content-Encoding unless told it already is;
    // Node ignores the option.
    const init = { headers, encodeBody: 'manual' } as ResponseInit;
    return new Response(req.method === 'HEAD' ? null : (body as BodyInit), init);
  };
}
