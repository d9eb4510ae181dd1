// The base64url conversions: RFC 4648 test vectors, the URL-safe alphabet, and round trips.
import { describe, expect, it } from 'vitest';
import { base64UrlToBuffer, bufferToBase64Url } from './base64url';

const bytesOf = (text: string) => new TextEncoder().encode(text);

describe('base64url', () => {
  it('encodes and decodes the RFC 4648 vectors without padding', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(bufferToBase64Url(bytesOf(plain))).toBe(encoded);
      expect(new Uint8Array(base64UrlToBuffer(encoded))).toEqual(bytesOf(plain));
    }
  });

  it('uses - and _ where base64 has + and /, and encodes only the bytes a view covers', () => {
    const view = new Uint8Array([0, 251, 255, 191, 0]).subarray(1, 4);
    expect(bufferToBase64Url(view)).toBe('-_-_');
    expect(new Uint8Array(base64UrlToBuffer('-_-_'))).toEqual(new Uint8Array([251, 255, 191]));
  });

  it('round-trips every byte value and every length up to 40', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(new Uint8Array(base64UrlToBuffer(bufferToBase64Url(all.buffer)))).toEqual(all);
    for (let length = 0; length <= 40; length += 1) {
      const bytes = all.slice(200 - length, 200);
      expect(new Uint8Array(base64UrlToBuffer(bufferToBase64Url(bytes)))).toEqual(bytes);
    }
  });

  it('accepts padded input and refuses text outside the alphabet or of an impossible length', () => {
    expect(new Uint8Array(base64UrlToBuffer('AQ=='))).toEqual(new Uint8Array([1]));
    expect(() => base64UrlToBuffer('ab+/')).toThrow(TypeError);
    expect(() => base64UrlToBuffer('abcde')).toThrow(TypeError);
  });
});
