import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';
import { labelledDocumentInput, SIGNATURE_LABELS } from './signature-labels';

describe('canonicalJson (RFC 8785 subset)', () => {
  it('sorts keys by UTF-16 code units at every depth and writes compact output', () => {
    const value = { b: [1, { z: true, a: 'x' }], a: 'é\n"', 'A': -3, '\u00e9': 1, '\ud83d\ude00': 2, '\ufb01': 3 };
    expect(canonicalJson(value)).toBe('{"A":-3,"a":"é\\n\\"","b":[1,{"a":"x","z":true}],"é":1,"\ud83d\ude00":2,"ﬁ":3}');
  });

  it('refuses values outside the signed-document set', () => {
    for (const value of [null, 1.5, 2 ** 53, { a: null }, new Date(0)]) expect(() => canonicalJson(value)).toThrow(TypeError);
  });

  it('prefixes the label as raw bytes', () => {
    expect(labelledDocumentInput(SIGNATURE_LABELS.job, { b: 1, a: 'x' }).toString('utf8')).toBe('borealis-job-v1\n{"a":"x","b":1}');
  });
});
