// Stateless server DPoP nonces for reauth (agent-protocol §3.5): `<expiry s>.<HMAC>` under the host
// secret, valid 60 s, so any node can check a nonce another node issued and nothing is stored.

import { timingSafeEqual } from 'node:crypto';
import { DPOP_NONCE_TTL_SECONDS } from '@borealis/protocol/agent';
import type { Clock } from '../../clock';
import type { HostSecret } from '../../secrets/host-secret';

export interface DpopNonces {
  issue(): string;
  isValid(nonce: string): boolean;
}

export function createDpopNonces(deps: { readonly clock: Clock; readonly hostSecret: HostSecret; readonly ttlSeconds?: number }): DpopNonces {
  const ttl = deps.ttlSeconds ?? DPOP_NONCE_TTL_SECONDS;
  const mac = (expiry: string) => deps.hostSecret.hmac('dpop-nonce', `reauth.${expiry}`).subarray(0, 18);
  const nowSeconds = () => Math.floor(deps.clock.now().getTime() / 1000);
  return {
    issue() {
      const expiry = String(nowSeconds() + ttl);
      return `${expiry}.${mac(expiry).toString('base64url')}`;
    },
    isValid(nonce) {
      const match = /^(\d{1,12})\.([A-Za-z0-9_-]{24})$/.exec(nonce);
      if (!match) return false;
      const [, expiry, tag] = match as unknown as [string, string, string];
      const expected = mac(expiry);
      const given = Buffer.from(tag, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
      const remaining = Number(expiry) - nowSeconds();
      return remaining >= 0 && remaining <= ttl;
    },
  };
}
