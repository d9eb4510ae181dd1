// The device trust services one engine shares between enrolment, token routes and the agent
// socket (agent-protocol §2–§3): signing keys, refresh families, access tokens and DPoP checks.

import type { Kysely } from 'kysely';
import type { Clock } from '../../../clock';
import type { Database } from '../../../db/schema';
import type { HostSecret } from '../../../secrets/host-secret';
import type { AuditLog, DbExecutor } from '../../audit/audit-log';
import { createDeviceTokenKeys, type DeviceTokenKeys } from './device-token-keys';
import { createDpopRequestVerifier, type DpopRequestVerifier } from './dpop-request-verifier';
import { issueAccessToken, type IssueAccessTokenInput, type IssuedAccessToken } from './issue-access-token';
import { createRefreshTokens, type RefreshTokens } from './refresh-tokens';

export interface DeviceTrust {
  readonly tokenKeys: DeviceTokenKeys;
  readonly refreshTokens: RefreshTokens;
  readonly dpop: DpopRequestVerifier;
  /** Access token for the device's current key and token_version; undefined when the device is gone. */
  issueAccessToken(executor: DbExecutor, input: IssueAccessTokenInput): Promise<IssuedAccessToken | undefined>;
  /** `iss` of access tokens and base of every DPoP `htu`. */
  origin(): string;
}

export interface DeviceTrustDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly hostSecret: HostSecret;
  /** BOREALIS_PUBLIC_URL's origin when set, else the URL the engine listens on (known after listen). */
  readonly origin: () => string;
  readonly accessTtlSeconds?: number;
  readonly refreshTtlSeconds?: number;
  readonly dpopSkewSeconds?: number;
}

export function createDeviceTrust(deps: DeviceTrustDeps): DeviceTrust {
  const tokenKeys = createDeviceTokenKeys({ db: deps.db, clock: deps.clock, hostSecret: deps.hostSecret });
  const refreshTokens = createRefreshTokens({ db: deps.db, clock: deps.clock, audit: deps.audit, ttlSeconds: deps.refreshTtlSeconds });
  const dpop = createDpopRequestVerifier({ db: deps.db, clock: deps.clock, origin: deps.origin, skewSeconds: deps.dpopSkewSeconds });
  return {
    tokenKeys,
    refreshTokens,
    dpop,
    origin: deps.origin,
    issueAccessToken: (executor, input) =>
      issueAccessToken({ clock: deps.clock, keys: tokenKeys, issuer: deps.origin(), ttlSeconds: deps.accessTtlSeconds }, executor, input),
  };
}
