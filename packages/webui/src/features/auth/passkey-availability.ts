// Whether this page can use passkeys: WebAuthn needs a browser that offers it and a host name (the
// engine's RP ID), never an IP address; a loopback engine's RP ID is `localhost`.

export type PasskeyAvailability =
  | { readonly kind: 'available' }
  /** Opened by IP address; `url` is this page at http(s)://localhost when the IP is a loopback one. */
  | { readonly kind: 'ip_address'; readonly url: string | null }
  | { readonly kind: 'unsupported' };

type PageLocation = Pick<Location, 'protocol' | 'hostname' | 'port' | 'pathname'>;

export function passkeyAvailabilityOf(location: PageLocation, hasWebAuthn: boolean): PasskeyAvailability {
  const host = location.hostname;
  // location.hostname keeps IPv6 brackets ("[::1]").
  const isIpv6 = host.startsWith('[') || host.includes(':');
  if (isIpv6 || /^\d{1,3}(\.\d{1,3}){3}$/.test(host)) {
    const isLoopback = /^127\./.test(host) || host === '[::1]' || host === '::1';
    const port = location.port ? `:${location.port}` : '';
    return { kind: 'ip_address', url: isLoopback ? `${location.protocol}//localhost${port}${location.pathname}` : null };
  }
  return hasWebAuthn ? { kind: 'available' } : { kind: 'unsupported' };
}

/** This page's availability; constant for the page's life, so it is computed on each render. */
export function passkeyAvailability(): PasskeyAvailability {
  // Absent in old browsers and on insecure origins (http:// other than localhost).
  const hasWebAuthn = typeof window.PublicKeyCredential === 'function' && typeof navigator.credentials?.create === 'function';
  return passkeyAvailabilityOf(window.location, hasWebAuthn);
}
