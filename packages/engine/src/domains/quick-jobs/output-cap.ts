// The per-stream output cap (automation.md §2.5, agent-protocol §6.5): the first and last half of
// the allowed bytes joined by a truncation marker. The engine re-applies it to whatever agents send.

export interface CappedOutput {
  readonly text: string;
  readonly truncated: boolean;
  readonly totalBytes: number;
}

const MARKER = /\n\[\.\.\. truncated \d+ bytes \.\.\.\]\n/;

/** Cuts at a code-point boundary so no half character survives the cut. */
function utf8Slice(bytes: Buffer, start: number, end: number): string {
  let s = Math.max(0, start);
  let e = Math.min(bytes.length, end);
  while (s < e && (bytes[s]! & 0xc0) === 0x80) s += 1;
  while (e > s && e < bytes.length && (bytes[e]! & 0xc0) === 0x80) e -= 1;
  return bytes.subarray(s, e).toString('utf8');
}

export function capOutput(text: string, maxBytes: number): CappedOutput {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, truncated: false, totalBytes: bytes.length };
  const half = Math.floor(maxBytes / 2);
  const dropped = bytes.length - 2 * half;
  return { text: `${utf8Slice(bytes, 0, half)}\n[... truncated ${dropped} bytes ...]\n${utf8Slice(bytes, bytes.length - half, bytes.length)}`, truncated: true, totalBytes: bytes.length };
}

/**
 * An agent's stream as stored: already capped by a well-behaved agent (its marker and totals are
 * kept), capped here otherwise.
 */
export function storedOutput(text: string, agentTruncated: boolean, agentTotal: number, maxBytes: number): CappedOutput {
  const markerAllowance = 64;
  if (agentTruncated && MARKER.test(text) && Buffer.byteLength(text) <= maxBytes + markerAllowance) return { text, truncated: true, totalBytes: agentTotal };
  const capped = capOutput(text, maxBytes);
  return { text: capped.text, truncated: capped.truncated || agentTruncated, totalBytes: Math.max(capped.totalBytes, agentTotal) };
}
