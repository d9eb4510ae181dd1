// Enrolment code format, normalisation and usability (agent-protocol.md §2.1), without a database.

import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createHostSecret } from '../../secrets/host-secret';
import { enrollmentCodeHash, enrollmentCodeUsability, generateEnrollmentCode, normaliseEnrollmentCode, type EnrollmentCodeSite } from './enrollment-code';

describe('enrolment codes', () => {
  it('are 32 upper-case hex digits in 8 dash-separated groups of 4, fresh each time', () => {
    const codes = new Set(Array.from({ length: 50 }, generateEnrollmentCode));
    expect(codes.size).toBe(50);
    for (const code of codes) expect(code).toMatch(/^[0-9A-F]{4}(?:-[0-9A-F]{4}){7}$/);
  });

  it('normalise case-insensitively, ignoring dashes and whitespace', () => {
    const code = generateEnrollmentCode();
    const compact = code.replaceAll('-', '');
    expect(normaliseEnrollmentCode(code)).toBe(compact);
    expect(normaliseEnrollmentCode(` ${code.toLowerCase().replaceAll('-', ' \t')}\n`)).toBe(compact);
    expect(normaliseEnrollmentCode(compact.slice(1))).toBeNull();
    expect(normaliseEnrollmentCode(`${compact}0`)).toBeNull();
    expect(normaliseEnrollmentCode(compact.replace(/.$/, 'G'))).toBeNull();
  });

  it('hash with the host secret: same code same digest, another secret another digest', () => {
    const secret = createHostSecret(randomBytes(32));
    const code = normaliseEnrollmentCode(generateEnrollmentCode())!;
    expect(enrollmentCodeHash(secret, code).equals(enrollmentCodeHash(secret, code))).toBe(true);
    expect(enrollmentCodeHash(secret, code)).toHaveLength(32);
    expect(enrollmentCodeHash(createHostSecret(randomBytes(32)), code).equals(enrollmentCodeHash(secret, code))).toBe(false);
  });

  it('judge expiry and use count', () => {
    const now = new Date('2026-05-01T12:00:00Z');
    const site: EnrollmentCodeSite = {
      id: 1,
      name: 'A',
      auto_approve_until: null,
      enrollment_code_expires_at: null,
      enrollment_code_max_uses: null,
      enrollment_code_uses: 7,
    };
    expect(enrollmentCodeUsability(site, now)).toBe('ok');
    expect(enrollmentCodeUsability({ ...site, enrollment_code_expires_at: new Date('2026-05-01T11:59:59Z') }, now)).toBe('enrollment_code_expired');
    expect(enrollmentCodeUsability({ ...site, enrollment_code_expires_at: new Date('2026-05-01T12:00:01Z') }, now)).toBe('ok');
    expect(enrollmentCodeUsability({ ...site, enrollment_code_max_uses: 7 }, now)).toBe('code_consumed');
    expect(enrollmentCodeUsability({ ...site, enrollment_code_max_uses: 8 }, now)).toBe('ok');
  });
});
