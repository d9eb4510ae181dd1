// Options JSON as @simplewebauthn/server writes it, turned into what navigator.credentials takes:
// base64url fields become bytes, unknown enum values and transports are dropped, junk is refused.
import { describe, expect, it } from 'vitest';
import { bufferToBase64Url } from './base64url';
import { creationOptionsFromJson, requestOptionsFromJson } from './webauthn-json';

const bytes = (source: BufferSource) => new Uint8Array(source instanceof ArrayBuffer ? source : source.buffer);
const b64 = (values: number[]) => bufferToBase64Url(new Uint8Array(values));

describe('creationOptionsFromJson', () => {
  it('decodes the challenge, the user id and the excluded credentials, and keeps the rules', () => {
    const options = creationOptionsFromJson({
      challenge: b64([1, 2, 3]),
      rp: { name: 'Borealis', id: 'localhost' },
      user: { id: b64([9, 9]), name: 'ada', displayName: 'Ada Admin' },
      pubKeyCredParams: [{ alg: -8, type: 'public-key' }, { alg: -7, type: 'public-key' }, { alg: -257, type: 'other' }],
      timeout: 60000,
      attestation: 'none',
      excludeCredentials: [{ id: b64([7]), type: 'public-key', transports: ['internal', 'carrier-pigeon'] }],
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred', requireResidentKey: true },
      extensions: { credProps: true },
      hints: [],
    });
    expect(bytes(options.challenge)).toEqual(new Uint8Array([1, 2, 3]));
    expect(bytes(options.user.id)).toEqual(new Uint8Array([9, 9]));
    expect(options.rp).toEqual({ name: 'Borealis', id: 'localhost' });
    expect(options.pubKeyCredParams).toEqual([{ alg: -8, type: 'public-key' }, { alg: -7, type: 'public-key' }]);
    expect(options.excludeCredentials).toHaveLength(1);
    expect(bytes(options.excludeCredentials![0]!.id)).toEqual(new Uint8Array([7]));
    expect(options.excludeCredentials![0]!.transports).toEqual(['internal']);
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', requireResidentKey: true, userVerification: 'preferred' });
    expect(options.attestation).toBe('none');
    expect(options.extensions).toEqual({ credProps: true });
  });

  it('refuses options without a challenge or user', () => {
    expect(() => creationOptionsFromJson({ rp: { name: 'x' }, user: { id: 'AA', name: 'a' } })).toThrow(TypeError);
    expect(() => creationOptionsFromJson({ challenge: 'AA', rp: { name: 'x' } })).toThrow(TypeError);
    expect(() => creationOptionsFromJson(null)).toThrow(TypeError);
  });
});

describe('requestOptionsFromJson', () => {
  it('keeps an empty allow list (a discoverable sign-in) and the RP ID', () => {
    const options = requestOptionsFromJson({ challenge: b64([4, 5]), rpId: 'localhost', allowCredentials: [], userVerification: 'preferred', timeout: 60000 });
    expect(bytes(options.challenge)).toEqual(new Uint8Array([4, 5]));
    expect(options).toMatchObject({ rpId: 'localhost', allowCredentials: [], userVerification: 'preferred', timeout: 60000 });
  });

  it('decodes the allowed credentials behind a ticket and drops an unknown requirement', () => {
    const options = requestOptionsFromJson({ challenge: 'AA', allowCredentials: [{ id: b64([1, 2]), type: 'public-key' }], userVerification: 'sometimes' });
    expect(bytes(options.allowCredentials![0]!.id)).toEqual(new Uint8Array([1, 2]));
    expect(options.userVerification).toBeUndefined();
  });
});
