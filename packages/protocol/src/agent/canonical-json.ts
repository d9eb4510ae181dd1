// RFC 8785 (JCS) for the value set signed documents may hold (§0): strings, booleans, arrays,
// objects and safe integers. Anything else (null, floats, big numbers) is refused, not guessed.

export type CanonicalValue = string | boolean | number | readonly CanonicalValue[] | { readonly [key: string]: CanonicalValue };

/** Sorted keys (UTF-16 code-unit order, as JCS), compact output. Throws on a value outside the set. */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`canonicalJson: ${value} is not an integer below 2^53`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item: unknown) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`canonicalJson: unsupported value of type ${value === null ? 'null' : typeof value}`);
}
