// Strict standard base64 (RFC 4648 §4, padded, canonical) for envelopes and wrapped keys.
// Buffer.from(…, 'base64') silently skips junk, so every stored value is checked here first.

const BASE64_SHAPE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes `text`, or returns null unless it is non-empty, padded and canonical base64. */
export function decodeStrictBase64(text: string): Buffer | null {
  if (text.length === 0 || !BASE64_SHAPE.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  // Re-encoding catches non-zero trailing bits, which would let two strings decode alike.
  return bytes.toString('base64') === text ? bytes : null;
}
