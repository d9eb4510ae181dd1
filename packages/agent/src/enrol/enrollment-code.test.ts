// Enrolment code input rules of agent-protocol.md §2.1.

import { describe, expect, it } from 'vitest';
import { normalizeEnrollmentCode } from './enrollment-code';

describe('normalizeEnrollmentCode', () => {
  it('accepts any case and ignores dashes and spaces', () => {
    const canonical = '0123-4567-89AB-CDEF-0123-4567-89AB-CDEF';
    expect(normalizeEnrollmentCode('0123456789abcdef0123456789ABCDEF')).toBe(canonical);
    expect(normalizeEnrollmentCode(' 0123 4567-89ab cdef-0123-4567 89ab-cdef ')).toBe(canonical);
    expect(normalizeEnrollmentCode(canonical)).toBe(canonical);
  });

  it('rejects a wrong length or a non-hex digit', () => {
    expect(normalizeEnrollmentCode('0123-4567-89AB-CDEF-0123-4567-89AB-CDE')).toBeUndefined();
    expect(normalizeEnrollmentCode('0123-4567-89AB-CDEF-0123-4567-89AB-CDEF0')).toBeUndefined();
    expect(normalizeEnrollmentCode('0123-4567-89AB-CDEF-0123-4567-89AB-CDEG')).toBeUndefined();
    expect(normalizeEnrollmentCode('')).toBeUndefined();
  });
});
