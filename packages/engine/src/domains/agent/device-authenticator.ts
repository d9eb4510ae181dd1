// Device request authentication (agent-protocol §3.3), one function for the `device` REST routes and
// the /agent socket upgrade: token → DPoP → rate → purge barrier → device row → key → token_version
// → status, in exactly that order, each failure with its catalogue code.

import type { IncomingHttpHeaders } from 'node:http';
import type { KeyObject } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { checkDeviceBinding, parseCompactJws, verifyAccessToken, type AccessTokenClaims } from '@borealis/protocol/agent';
import type { Clock } from '../../clock';
import type { Database, DeviceStatus } from '../../db/schema';
import type { DeviceTrust } from '../devices/trust/device-trust';
import { DeviceAuthError, dpopFailure, rateLimited } from './device-auth-error';

/** §10: device REST budget per device and minute. */
export const DEVICE_REST_PER_MINUTE = 60;

export interface AuthenticatedDevice {
  /** Wire form (upper-case). */
  readonly guid: string;
  /** As PostgreSQL returns uuids (lower-case), for queries and room names keyed by rows. */
  readonly rowGuid: string;
  readonly siteId: number | null;
  readonly status: DeviceStatus;
  readonly hostname: string;
  readonly agentId: string;
  readonly tokenVersion: number;
  readonly jkt: string;
  readonly claims: AccessTokenClaims;
}

interface DeviceRow {
  readonly site_id: number | null;
  readonly status: DeviceStatus;
  readonly hostname: string;
  readonly agent_id: string;
  readonly ssl_key_fingerprint: string;
  readonly token_version: number;
}

export interface DeviceAuthInput {
  readonly method: string;
  /** The request path; the DPoP `htu` is the agent origin plus this path. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** REST calls count against the per-device budget (§3.3 check 4); socket upgrades do not. */
  readonly isRest: boolean;
}

export interface DeviceAuthenticator {
  authenticate(input: DeviceAuthInput): Promise<AuthenticatedDevice>;
}

export interface DeviceAuthenticatorDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly trust: Pick<DeviceTrust, 'tokenKeys' | 'dpop' | 'origin'>;
  /** Fixed-window budget; throws when `limit` is exceeded within the minute. */
  readonly takeBudget: (key: string, limit: number) => void;
}

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** `DPoP <jwt>`, with `Bearer` accepted as an alias (§1). */
export function accessTokenFrom(headers: IncomingHttpHeaders): string {
  const value = first(headers.authorization);
  if (!value) throw new DeviceAuthError('missing_authorization', 'Authorization: DPoP <access token> is required');
  const match = /^(DPoP|Bearer)\s+([A-Za-z0-9._~+/=-]+)$/i.exec(value.trim());
  if (!match?.[2]) throw new DeviceAuthError('invalid_token', 'Authorization must be DPoP <access token>');
  return match[2];
}

export function createDeviceAuthenticator(deps: DeviceAuthenticatorDeps): DeviceAuthenticator {
  const verifyToken = async (token: string): Promise<AccessTokenClaims> => {
    const jws = parseCompactJws(token);
    const header = jws?.header;
    const kid = typeof header === 'object' && header !== null && 'kid' in header && typeof header.kid === 'string' ? header.kid : undefined;
    // resolvePublicKey is async (database, then cache); the protocol verifier takes a sync resolver.
    const key: KeyObject | undefined = kid && /^[0-9a-f]{16}$/.test(kid) ? await deps.trust.tokenKeys.resolvePublicKey(kid) : undefined;
    const result = verifyAccessToken(token, { issuer: deps.trust.origin(), resolveKey: (k) => (k === kid ? key : undefined), clock: deps.clock });
    if (!result.ok) throw new DeviceAuthError(result.code, result.message);
    // Conformance P8 wants a token 901 s old refused, so `exp` gets no leeway here; the 5 s
    // tolerance of §3.1 still covers `nbf` (another node's clock running slightly ahead).
    if (result.value.exp <= Math.floor(deps.clock.now().getTime() / 1000)) throw new DeviceAuthError('token_expired', 'access token has expired');
    return result.value;
  };

  return {
    async authenticate(input) {
      const token = accessTokenFrom(input.headers);
      const claims = await verifyToken(token);
      const proof = await deps.trust.dpop.verify({ method: input.method, path: input.path, header: input.headers.dpop, accessToken: token, expectedJkt: claims.cnf.jkt });
      if (!proof.ok) {
        if (proof.code === 'use_dpop_nonce') throw dpopFailure('dpop_invalid', proof.message);
        throw dpopFailure(proof.code, proof.message, proof.serverTime);
      }
      if (input.isRest) {
        try {
          deps.takeBudget(`device:${claims.guid}`, DEVICE_REST_PER_MINUTE);
        } catch (err) {
          const retry = (err as { retryAfterSeconds?: unknown }).retryAfterSeconds;
          throw rateLimited(typeof retry === 'number' ? retry : 60);
        }
      }
      const rowGuid = claims.guid.toLowerCase();
      // Purge barrier and device row in one round trip (a reconnect storm runs this per upgrade).
      const { rows } = await sql<DeviceRow & { required_token_version: number | null; found: boolean }>`
        SELECT b.required_token_version, d.guid IS NOT NULL AS found, d.site_id, d.status, d.hostname, d.agent_id, d.ssl_key_fingerprint, d.token_version
        FROM (SELECT ${rowGuid}::uuid AS guid) AS k
        LEFT JOIN device_purge_barriers b ON b.device_guid = k.guid
        LEFT JOIN devices d ON d.guid = k.guid`.execute(deps.db);
      const row = rows[0];
      if (row && row.required_token_version !== null && claims.token_version < row.required_token_version) throw new DeviceAuthError('device_purged', 'this device was purged; enrol again');
      const device = row?.found ? row : undefined;
      if (!device) throw new DeviceAuthError('device_not_found', 'no device has this GUID; enrol again');
      const binding = checkDeviceBinding(claims, { sslKeyFingerprint: device.ssl_key_fingerprint, tokenVersion: device.token_version });
      if (!binding.ok) throw new DeviceAuthError(binding.code, binding.message);
      if (device.status === 'revoked' || device.status === 'decommissioned') throw new DeviceAuthError('device_revoked', 'this device has been revoked');
      return {
        guid: claims.guid,
        rowGuid,
        siteId: device.site_id,
        status: device.status,
        hostname: device.hostname,
        agentId: device.agent_id,
        tokenVersion: device.token_version,
        jkt: proof.value.jkt,
        claims,
      };
    },
  };
}

const GUID_IN_AGENT_ID = /_([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})_[A-Z]+$/;

/** §3.3 check 10: a body `guid` or `agent_id` that names another device → 403 `device_mismatch`. */
export function assertBodyNamesDevice(device: Pick<AuthenticatedDevice, 'guid'>, body: unknown): void {
  if (typeof body !== 'object' || body === null) return;
  const { guid, agent_id: agentId } = body as { guid?: unknown; agent_id?: unknown };
  if (typeof guid === 'string' && guid.toUpperCase() !== device.guid) throw new DeviceAuthError('device_mismatch', 'the body names another device');
  if (typeof agentId === 'string') {
    const named = GUID_IN_AGENT_ID.exec(agentId)?.[1];
    if (named && named.toUpperCase() !== device.guid) throw new DeviceAuthError('device_mismatch', 'agent_id names another device');
  }
}
