// TOTP of security.md §4.4: seed format, the ±1 step window, the exact otpauth URI and the QR image.

import { describe, expect, it } from 'vitest';
import { TOTP, URI } from 'otpauth';
import { isFreshStep, matchTotp, newTotpSecret, totpCodeAt, totpQrDataUrl, totpUri } from './totp';

// A fixed instant in the middle of a 30 s step, so ±30 s stays one step away.
const T = new Date('2026-03-14T15:09:26Z');
const at = (offsetSeconds: number) => new Date(T.getTime() + offsetSeconds * 1000);

describe('totp', () => {
  it('makes a 20-byte seed as 32 base32 characters without padding, fresh each time', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
  });

  it('accepts the code of time T at T and T±30 s, returning the step it matched', () => {
    const secret = newTotpSecret();
    const code = totpCodeAt(secret, T);
    const step = Math.floor(T.getTime() / 1000 / 30);
    expect(matchTotp({ secret, code, now: T })).toBe(step);
    // Matched from a neighbouring step, the step returned is still the code's own step.
    expect(matchTotp({ secret, code, now: at(30) })).toBe(step);
    expect(matchTotp({ secret, code, now: at(-30) })).toBe(step);
  });

  it('rejects the code of time T at T±90 s', () => {
    const secret = newTotpSecret();
    const code = totpCodeAt(secret, T);
    expect(matchTotp({ secret, code, now: at(90) })).toBeNull();
    expect(matchTotp({ secret, code, now: at(-90) })).toBeNull();
  });

  it('computes the RFC 6238 SHA-1 test vector for T = 59 s', () => {
    // RFC 6238 appendix B seed "12345678901234567890"; the 8-digit code 94287082 ends in 287082.
    const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(totpCodeAt(rfcSecret, new Date(59_000))).toBe('287082');
    expect(matchTotp({ secret: rfcSecret, code: '287082', now: new Date(59_000) })).toBe(1);
  });

  it('rejects input that is not exactly six digits', () => {
    const secret = newTotpSecret();
    const code = totpCodeAt(secret, T);
    for (const bad of ['', '12345', '1234567', `${code.slice(0, 3)} ${code.slice(3)}`, ` ${code}`, 'abcdef', '１２３４５６']) {
      expect(matchTotp({ secret, code: bad, now: T })).toBeNull();
    }
  });

  it('treats a step as fresh only when it is later than the last accepted one', () => {
    expect(isFreshStep(100, null)).toBe(true);
    expect(isFreshStep(100, undefined)).toBe(true);
    expect(isFreshStep(101, 100)).toBe(true);
    expect(isFreshStep(100, 100)).toBe(false);
    expect(isFreshStep(99, 100)).toBe(false);
  });

  it('builds the otpauth URI in exactly the specified form, encoding issuer and username', () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    expect(totpUri({ username: 'alice', secret })).toBe(
      `otpauth://totp/Borealis:alice?secret=${secret}&issuer=Borealis&algorithm=SHA1&digits=6&period=30`,
    );
    expect(totpUri({ issuer: 'Acme RMM', username: 'bob@example.com', secret })).toBe(
      `otpauth://totp/Acme%20RMM:bob%40example.com?secret=${secret}&issuer=Acme%20RMM&algorithm=SHA1&digits=6&period=30`,
    );
  });

  it('produces a URI an authenticator parses back to the same seed and parameters', () => {
    const secret = newTotpSecret();
    const parsed = URI.parse(totpUri({ issuer: 'Acme RMM', username: 'bob@example.com', secret }));
    expect(parsed).toBeInstanceOf(TOTP);
    expect(parsed).toMatchObject({ issuer: 'Acme RMM', label: 'bob@example.com', algorithm: 'SHA1', digits: 6 });
    expect(parsed.secret.base32).toBe(secret);
  });

  it('renders the URI as a PNG data URL', async () => {
    const url = await totpQrDataUrl(totpUri({ username: 'alice', secret: newTotpSecret() }));
    expect(url.startsWith('data:image/png;base64,')).toBe(true);
    const png = Buffer.from(url.slice('data:image/png;base64,'.length), 'base64');
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
  });
});
