// The DPoP `htu` form (§3.2, RFC 9449): `https://host[:port]/path`, scheme and host lower-case,
// default port omitted, no query or fragment, no user info.

/** Normalises a request URL to its `htu` (query and fragment dropped); undefined if it cannot be one. */
export function normalizeHtu(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined; // not an absolute URL
  }
  // http is allowed only so a plain-HTTP development BOREALIS_PUBLIC_URL still compares equal.
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.username !== '' || parsed.password !== '') return undefined;
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/** A proof's `htu` must carry no query or fragment at all (conformance P7), then normalise equal. */
export function isHtuMatch(proofHtu: string, requestUrl: string): boolean {
  if (proofHtu.includes('?') || proofHtu.includes('#')) return false;
  const proof = normalizeHtu(proofHtu);
  return proof !== undefined && proof === normalizeHtu(requestUrl);
}
