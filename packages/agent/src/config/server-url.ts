// The engine origin rule (agent-protocol.md §1): `https://host[:port]` only; an IP literal or
// `localhost` only when a CA is pinned; otherwise a fully qualified host name.

import { isIP } from 'node:net';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** The normalised origin, or an error message saying what is wrong with `input`. */
export function checkServerUrl(input: string, options: { readonly hasPinnedCa: boolean }): { ok: true; url: string } | { ok: false; message: string } {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return { ok: false, message: 'must be a URL such as https://rmm.example.com' };
  }
  if (url.protocol !== 'https:') return { ok: false, message: 'must use https:// (plain HTTP is never used)' };
  if (url.username || url.password) return { ok: false, message: 'must not contain a user name or password' };
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    return { ok: false, message: 'must be an origin only (https://host[:port]), without a path, query or fragment' };
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const isLiteralOrLocal = isIP(host) !== 0 || host === 'localhost';
  if (isLiteralOrLocal && !options.hasPinnedCa) {
    return { ok: false, message: 'an IP address or localhost is accepted only with a pinned CA (--engine-ca-pem)' };
  }
  if (!isLiteralOrLocal && !isFullyQualified(host)) {
    return { ok: false, message: 'must name a fully qualified host (such as rmm.example.com), an IP address or localhost' };
  }
  return { ok: true, url: url.origin };
}

function isFullyQualified(host: string): boolean {
  const labels = host.replace(/\.$/, '').split('.');
  return host.length <= 253 && labels.length >= 2 && labels.every((l) => LABEL.test(l)) && !/^\d+$/.test(labels.at(-1) ?? '');
}
