import { describe, expect, it } from 'vitest';
import { decodeB64, decodeB64Url, encodeB64, encodeB64Url } from './base64';

describe('b64 encodings', () => {
  const bytes = Uint8Array.from([0xfb, 0xff, 0xfe, 0x01]);

  it('writes padded standard base64 and unpadded base64url', () => {
    expect(encodeB64(bytes)).toBe('+//+AQ==');
    expect(encodeB64Url(bytes)).toBe('-__-AQ');
  });

  it('reads standard base64 and base64url, padded or not', () => {
    for (const text of ['+//+AQ==', '-__-AQ', '-__-AQ==']) expect(decodeB64(text)).toEqual(Buffer.from(bytes));
  });

  it('refuses mixed alphabets, bad padding and non-canonical trailing bits', () => {
    for (const text of ['+/_-AQ==', '+//+AQ=', '+//+AR==', 'A', 'ab cd', '+//+AQ==='] as const) expect(decodeB64(text)).toBeUndefined();
  });

  it('reads JWS parts only as canonical unpadded base64url', () => {
    expect(decodeB64Url('-__-AQ')).toEqual(Buffer.from(bytes));
    for (const text of ['-__-AQ==', '+//+AQ', '-__-AR']) expect(decodeB64Url(text)).toBeUndefined();
  });
});
