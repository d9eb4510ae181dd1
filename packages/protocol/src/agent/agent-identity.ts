// Device identifiers on the wire (§0): upper-case GUIDs, `agent_id` and the lower-case approval reference.

import { z } from 'zod';

const UUID_BODY = '[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}';

/** Device GUID as the engine writes it: upper-case UUID. */
export const DeviceGuidSchema = z.string().regex(new RegExp(`^${UUID_BODY}$`), 'must be an upper-case UUID');
/** Approval reference as the engine writes it (§2.3): lower-case UUID, 36 ASCII bytes. */
export const ApprovalReferenceSchema = z.string().regex(new RegExp(`^${UUID_BODY.toLowerCase()}$`), 'must be a lower-case UUID');
/** `ssl_key_fingerprint`: lower-hex SHA-256. */
export const SslKeyFingerprintSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');
/** `kid` / `signing_key_id`: 16 lower-case hex digits. */
export const SigningKeyIdSchema = z.string().regex(/^[0-9a-f]{16}$/, 'must be 16 lower-case hex digits');

/** `<HOSTNAME>_<GUID>_SYSTEM`: host name upper-cased, spaces → `-` (informational, §0). */
export function formatAgentId(hostname: string, guid: string): string {
  return `${hostname.toUpperCase().replace(/ /g, '-')}_${guid.toUpperCase()}_SYSTEM`;
}
