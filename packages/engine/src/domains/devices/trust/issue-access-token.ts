// Issues a device access token (agent-protocol §3.1) with the active device-token key and the
// device's current `token_version`, so a containment bump is absorbed by one refresh (§3.4).

import { createAccessToken, type AccessTokenClaims } from '@borealis/protocol/agent';
import type { Clock } from '../../../clock';
import type { DbExecutor } from '../../audit/audit-log';
import type { DeviceTokenKeys } from './device-token-keys';

export interface IssueAccessTokenDeps {
  readonly clock: Clock;
  readonly keys: DeviceTokenKeys;
  /** `BOREALIS_PUBLIC_URL` origin, the `iss` claim. */
  readonly issuer: string;
  readonly ttlSeconds?: number;
}

export interface IssuedAccessToken {
  readonly token: string;
  readonly claims: AccessTokenClaims;
  readonly expiresIn: number;
}

export interface IssueAccessTokenInput {
  readonly guid: string;
  readonly jkt: string;
  /** The device row as the caller just wrote it in this transaction; read through `executor` when absent. */
  readonly device?: { readonly guid: string; readonly ssl_key_fingerprint: string; readonly token_version: number };
}

/** Reads the device row through `executor`; undefined when the device does not exist. */
export async function issueAccessToken(
  deps: IssueAccessTokenDeps,
  executor: DbExecutor,
  input: IssueAccessTokenInput,
): Promise<IssuedAccessToken | undefined> {
  const device =
    input.device ??
    (await executor.selectFrom('devices').select(['guid', 'ssl_key_fingerprint', 'token_version']).where('guid', '=', input.guid).executeTakeFirst());
  if (!device) return undefined;
  const signer = await deps.keys.signingKey();
  const { token, claims } = createAccessToken(
    {
      issuer: deps.issuer,
      // PostgreSQL returns uuids lower-case; the wire form is upper-case (data-model.md §1).
      guid: device.guid.toUpperCase(),
      sslKeyFingerprint: device.ssl_key_fingerprint,
      jkt: input.jkt,
      tokenVersion: device.token_version,
      clock: deps.clock,
      ttlSeconds: deps.ttlSeconds,
    },
    signer,
  );
  return { token, claims, expiresIn: claims.exp - claims.iat };
}
