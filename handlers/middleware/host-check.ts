// DNS rebinding: a page on evil.example whose name the attacker re-points at 127.0.0.1 is, to the
// browser, same-origin with this server, so CORS and the cross-origin check let it through. What
// gives it away is the Host header: the browser sends the name it resolved (evil.example). So every
// request, whatever its path (a route added later, a console at `/`, /mcp), must name a host we know.
//
// Allowed without configuration: `localhost` (and `*.localhost`, which browsers resolve themselves),
// any IP address (a literal address involves no DNS, so nothing can be rebound), and the host the
// server is bound to. `server.allowed_hosts` adds names (`api.example.com`, `*.example.com`); `*`
// turns the check off, for servers behind a proxy that rewrites Host. Any port is accepted.
import type { Middleware } from './context.ts';
import { errorResponse } from '../errors.ts';

/** host[:port], where host is a DNS name, an IPv4 address or a bracketed IPv6 address. */
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::\d{1,5})?$/i;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

const normalize = (name: string) => name.trim().toLowerCase().replace(/\.$/, '');

/** The host name of a Host header (port dropped), or undefined when it is not a well-formed host. */
export function hostName(header: string): string | undefined {
  const m = HOST_HEADER.exec(header.trim());
  return m ? normalize(m[1]!) : undefined;
}

/** A configured entry as a host name: `API.example.com:8080` → `api.example.com`, `::1` → `[::1]`. */
function entryName(entry: string): string {
  const e = normalize(entry);
  if (e.startsWith('*.')) return e;
  if (!e.startsWith('[') && e.split(':').length > 2) return `[${e}]`; // a bare IPv6 address
  return hostName(e) ?? e;
}

const isIpLiteral = (name: string) => IPV4.test(name) || name.startsWith('[');
const isLocalhost = (name: string) => name === 'localhost' || name.endsWith('.localhost');

function matches(name: string, entry: string): boolean {
  if (entry.startsWith('*.')) return name.endsWith(entry.slice(1));
  return name === entry;
}

/** Whether a request naming `host` may be answered. `allowed` holds the extra names (and `*`). */
export function hostAllowed(host: string, allowed: string[]): boolean {
  if (allowed.includes('*')) return true;
  const name = hostName(host);
  if (name === undefined) return false;
  if (isIpLiteral(name) || isLocalhost(name)) return true;
  return allowed.map(entryName).some((e) => matches(name, e));
}

export interface HostCheckOptions {
  /** server.allowed_hosts: extra names, `*.suffix` patterns, or `*` for no check. */
  allowed: string[];
  /** The address the server listens on (its name is allowed too). */
  listenHost?: string;
}

export const hostCheck = (opts: HostCheckOptions): Middleware => {
  const allowed = [...opts.allowed, ...(opts.listenHost ? [opts.listenHost] : [])];
  return async (ctx, next) => {
    // Both the raw header and the URL's host must pass. On Node the URL is built from the header, but
    // `Host: evil.example@127.0.0.1` makes one whose host is 127.0.0.1; in workerd the URL is the truth.
    const header = ctx.req.headers.get('host');
    const host = header !== null && !hostAllowed(header, allowed) ? header : ctx.url.host;
    if (hostAllowed(host, allowed)) return next();
    ctx.route = 'host-check';
    const shown = host.slice(0, 100).replace(/[^\x20-\x7e]/g, '?');
    return errorResponse(ctx.surface, 403, 'FORBIDDEN', `requests for host "${shown}" are not allowed (server.allowed_hosts)`, {}, {
      hint: 'add the name to server.allowed_hosts, or "*" behind a proxy that sets Host',
      requestId: ctx.requestId,
    });
  };
};
