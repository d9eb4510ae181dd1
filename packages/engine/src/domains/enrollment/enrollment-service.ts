// The agent side of enrolment (agent-protocol §2.3, §2.4): requests into the approval queue with
// code checks, conflict detection and auto-approval; proof-checked polls that finalize once.

import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import {
  AGENT_TOKEN_TYPE,
  ENROLL_NONCE_BYTES,
  ENROLL_POLL_AFTER_MS,
  decodeB64,
  encodeB64,
  jktFromSpki,
  publicKeyFromSpki,
  spkiDerFromB64,
  sslKeyFingerprint,
  verifyEnrollmentProof,
  type EnrollPollRequest,
  type EnrollPollResponse,
  type EnrollRequest,
  type EnrollRequestResponse,
} from '@borealis/protocol/agent';
import type { AgentTrustInfo } from '../../agent-trust-info';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { AppError } from '../../errors';
import type { HostSecret } from '../../secrets/host-secret';
import type { Actor, AuditLog } from '../audit/audit-log';
import type { DeviceEvents } from '../devices/device-events';
import type { DeviceTrust } from '../devices/trust/device-trust';
import { isUniqueViolation } from '../sites/site-repository';
import { enrollmentCodeUsability, findSiteByEnrollmentCode } from '../sites/enrollment-code';
import { createApprovalRepository, type ApprovalRow } from './approval-repository';
import { detectConflict, isAutoApprovable } from './conflicts';
import { createSigningKeyReader, loadEngineSigningKey } from './engine-signing-key';
import { createEnrollmentLimits, type EnrollmentLimits } from './enrollment-limits';
import { createEnrollmentCodeUseCounter, finalizeEnrollment } from './finalize-enrollment';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** §10: a pending row lives 24 h without polls and 30 d at most; an approved one 24 h. */
export const APPROVAL_TTL = Object.freeze({ idleMs: DAY, absoluteMs: 30 * DAY, approvedMs: DAY });

export interface EnrollmentServiceDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly hostSecret: HostSecret;
  readonly deviceTrust: DeviceTrust;
  readonly deviceEvents: DeviceEvents;
  readonly agentTrust: AgentTrustInfo | null;
  /** BOREALIS_ENROLL_RATE_EXEMPT_CIDRS. */
  readonly rateExemptCidrs?: readonly string[];
}

/** Who sent the request: its (proxy-aware) address and request id, for audit and limits. */
export interface RequestOrigin {
  readonly ip: string;
  readonly requestId: string;
}

/** Shown to admins instead of the code: enough to recognise a typo, never enough to enrol. */
export function maskEnrollmentCode(input: string): string {
  const compact = input.replace(/[\s-]/g, '').toUpperCase().slice(0, 64);
  if (compact.length < 12) return '*'.repeat(compact.length);
  return `${compact.slice(0, 4)}…${compact.slice(-4)} (${compact.length} chars)`;
}

/** §2.4: 5 s for the first 10 min of a request, 30 s until 1 h, then 60 s. */
export function pollAfterMs(createdAt: Date, now: Date): number {
  const age = now.getTime() - createdAt.getTime();
  if (age < 10 * MINUTE) return ENROLL_POLL_AFTER_MS.pendingFirst10Min;
  if (age < HOUR) return ENROLL_POLL_AFTER_MS.pendingUntil1Hour;
  return ENROLL_POLL_AFTER_MS.pendingAfter1Hour;
}

/** Pending expiry after activity at `at`: 24 h idle, capped at 30 d from creation. */
export function pendingExpiry(createdAt: Date, at: Date): Date {
  return new Date(Math.min(createdAt.getTime() + APPROVAL_TTL.absoluteMs, at.getTime() + APPROVAL_TTL.idleMs));
}

interface DeviceChange {
  readonly guid: string;
  readonly site_id: number;
  readonly change: 'created' | 'updated';
  readonly trust: 'key_changed' | 'reenrolled' | null;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && timingSafeEqual(a, b);
}

export function createEnrollmentService(deps: EnrollmentServiceDeps) {
  const { db, clock } = deps;
  const repo = createApprovalRepository();
  const limits: EnrollmentLimits = createEnrollmentLimits({ clock, exemptCidrs: deps.rateExemptCidrs });
  const codeUses = createEnrollmentCodeUseCounter(db);
  const readSigningKey = createSigningKeyReader(db);

  // A burst of enrolments would count the queue once per request and poll; one count runs at a
  // time, and changes that land meanwhile are folded into a single recount after it.
  let counting: Promise<void> | null = null;
  let recount = false;
  const countAndEmit = async (): Promise<void> => {
    try {
      do {
        recount = false;
        deps.deviceEvents.emit('approvals_changed', { pending_count: await repo.countPending(db) });
      } while (recount);
    } finally {
      counting = null;
    }
  };
  const announceQueue = async () => {
    if (counting) {
      recount = true;
      return;
    }
    // The count is a hint for the approvals page, taken after the commit: failing to take it
    // (a busy pool) must not turn a stored enrolment into an error answer; the next change recounts.
    counting = countAndEmit().catch(() => undefined);
    await counting;
  };

  const wrongCode = async (body: EnrollRequest, fingerprint: string, origin: RequestOrigin, code: 'invalid_enrollment_code' | 'enrollment_code_expired' | 'code_consumed') => {
    await repo.recordWrongCode(db, {
      fingerprint,
      hostname: body.hostname,
      mask: maskEnrollmentCode(body.enrollment_code),
      remoteAddr: origin.ip,
      error: code,
      now: clock.now(),
    });
    limits.noteWrongCode(origin.ip);
    const messages = {
      invalid_enrollment_code: 'The enrolment code is not valid',
      enrollment_code_expired: 'The enrolment code has expired; ask for a new one',
      code_consumed: 'The enrolment code has been used up; ask for a new one',
    } as const;
    throw new AppError(code, messages[code]);
  };

  /** Insert or update-in-place of the pending row, conflict check and auto-approval (§2.3 steps 6–7). */
  const queue = async (body: EnrollRequest, spki: Buffer, fingerprint: string, site: { id: number; name: string; auto_approve_until: Date | null }, origin: RequestOrigin) =>
    db.transaction().execute(async (trx) => {
      const now = clock.now();
      const serverNonce = randomBytes(ENROLL_NONCE_BYTES);
      const clientNonce = decodeB64(body.client_nonce)!;
      const fields = {
        site_id: site.id,
        hostname_claimed: body.hostname,
        fqdn: body.fqdn ?? null,
        agent_pubkey: spki,
        client_nonce: clientNonce,
        server_nonce: serverNonce,
        agent_version: body.agent_version,
        platform: body.platform,
        arch: body.arch,
        machine_id_sha256: body.machine_id_sha256?.toLowerCase() ?? null,
        remote_addr: origin.ip,
        updated_at: now,
      };
      const existing = await repo.findPendingByFingerprintForUpdate(trx, fingerprint);
      const conflict = await detectConflict(trx, { fingerprint, hostname: body.hostname });
      const isAuto = site.auto_approve_until !== null && site.auto_approve_until.getTime() > now.getTime() && isAutoApprovable(conflict);
      const decision = isAuto
        ? {
            status: 'approved' as const,
            conflict_resolution: conflict.kind === 'same_key' ? ('merge' as const) : null,
            device_guid: conflict.kind === 'same_key' ? conflict.device!.guid : null,
            decided_by: 'site_auto_approval',
            decided_by_user_id: null,
            decided_at: now,
          }
        : { status: 'pending' as const };
      const conflictFields = { conflict_kind: conflict.kind, conflict_device_guid: conflict.device?.guid ?? null };
      let row: ApprovalRow;
      if (existing) {
        const expires = isAuto ? new Date(now.getTime() + APPROVAL_TTL.approvedMs) : pendingExpiry(existing.created_at, now);
        row = await repo.update(trx, existing.id, { ...fields, ...conflictFields, ...decision, expires_at: expires });
      } else {
        const expires = isAuto ? new Date(now.getTime() + APPROVAL_TTL.approvedMs) : pendingExpiry(now, now);
        row = await repo.insert(trx, {
          id: randomUUID(),
          approval_reference: randomUUID(),
          ssl_key_fingerprint_claimed: fingerprint,
          ...fields,
          ...conflictFields,
          ...decision,
          expires_at: expires,
          created_at: now,
        });
      }
      if (isAuto) {
        const actor: Actor = { type: 'system', id: null, name: 'site_auto_approval', ip: origin.ip, requestId: origin.requestId };
        await deps.audit.record(trx, actor, {
          action: 'enrollment.auto_approved',
          targetType: 'device_approval',
          targetId: row.id,
          siteId: site.id,
          details: { hostname: body.hostname, ssl_key_fingerprint: fingerprint, conflict_kind: conflict.kind, guid: conflict.device?.guid.toUpperCase() ?? null },
        });
      }
      return row;
    });

  return {
    limits,

    /** §2.3 checks 3–7; check 1 (address) runs before validation in the route, check 2 is the schema. */
    async request(body: EnrollRequest, dpopHeader: string | readonly string[] | undefined, path: string, origin: RequestOrigin): Promise<EnrollRequestResponse> {
      // The request needs the key's bytes only; the DPoP check builds (and caches) its KeyObject.
      const der = spkiDerFromB64(body.agent_pubkey);
      if (!der) throw new AppError('validation_failed', 'agent_pubkey: must be b64 of an Ed25519 SPKI (44 bytes)');
      const fingerprint = sslKeyFingerprint(der);
      await verifyDpop(deps.deviceTrust, { method: 'POST', path, header: dpopHeader, spki: der });
      limits.requestByFingerprint(fingerprint);

      const site = await findSiteByEnrollmentCode(db, deps.hostSecret, body.enrollment_code);
      if (!site) return wrongCode(body, fingerprint, origin, 'invalid_enrollment_code');
      const usability = enrollmentCodeUsability(site, clock.now());
      if (usability !== 'ok') return wrongCode(body, fingerprint, origin, usability);

      const signingKey = await readSigningKey();
      let row: ApprovalRow;
      try {
        row = await queue(body, der, fingerprint, site, origin);
      } catch (err) {
        // Two first requests for one key raced on the pending-fingerprint index: the loser updates in place.
        if (!isUniqueViolation(err)) throw err;
        row = await queue(body, der, fingerprint, site, origin);
      }
      await announceQueue();
      const isApproved = row.status === 'approved';
      return {
        status: isApproved ? 'approved' : 'pending',
        approval_reference: row.approval_reference,
        server_nonce: encodeB64(row.server_nonce),
        poll_after_ms: isApproved ? 0 : ENROLL_POLL_AFTER_MS.afterRequest,
        expires_at: row.expires_at.toISOString(),
        auto_approved: isApproved,
        ...signingKey,
        server_time: clock.now().toISOString(),
      };
    },

    /** §2.4: four checks before any status is revealed, then the status answer or finalize. */
    async poll(body: EnrollPollRequest, dpopHeader: string | readonly string[] | undefined, path: string, origin: RequestOrigin): Promise<EnrollPollResponse> {
      limits.pollByReference(body.approval_reference);
      const found = await repo.findByReference(db, body.approval_reference);
      if (!found) throw new AppError('approval_unknown', 'No enrolment request has this approval reference');
      const publicKey = publicKeyFromSpki(found.agent_pubkey);
      if (!publicKey) throw new Error('stored agent_pubkey is not an Ed25519 SPKI');
      await verifyDpop(deps.deviceTrust, { method: 'POST', path, header: dpopHeader, spki: found.agent_pubkey });
      const clientNonce = decodeB64(body.client_nonce)!;
      if (!sameBytes(clientNonce, found.client_nonce)) throw new AppError('proof_invalid', 'The enrolment proof does not verify');
      const isProofValid = verifyEnrollmentProof(
        publicKey,
        { serverNonce: found.server_nonce, approvalReference: found.approval_reference, clientNonce },
        body.proof_sig,
      );
      if (!isProofValid) throw new AppError('proof_invalid', 'The enrolment proof does not verify');

      // An approved row is finalized below: its answer's signing key is read before the transaction
      // (shared with concurrent enrolments) rather than inside it; a row that turned approved
      // meanwhile reads it in the transaction.
      const preloadedKey = found.status === 'approved' ? await readSigningKey() : undefined;
      // Filled inside the transaction, announced after the commit.
      const effects: { queueChanged: boolean; device: DeviceChange | null } = { queueChanged: false, device: null };
      const answer = await db.transaction().execute(async (trx): Promise<EnrollPollResponse> => {
        const row = await repo.findByIdForUpdateWithSite(trx, found.id);
        if (!row) throw new AppError('approval_unknown', 'No enrolment request has this approval reference');
        const now = clock.now();
        const isLive = row.status === 'pending' || row.status === 'approved';
        if (isLive && row.expires_at.getTime() <= now.getTime()) {
          // The sweep runs every 10 min; an overdue row is expired on the spot.
          await repo.update(trx, row.id, { status: 'expired', updated_at: now });
          effects.queueChanged = true;
          return { status: 'expired' };
        }
        switch (row.status) {
          case 'pending':
            await repo.update(trx, row.id, { last_polled_at: now, expires_at: pendingExpiry(row.created_at, now), updated_at: now });
            return { status: 'pending', poll_after_ms: pollAfterMs(row.created_at, now) };
          case 'denied':
            return { status: 'denied', reason: 'operator_denied' };
          case 'expired':
            return { status: 'expired' };
          case 'completed':
            return { status: 'completed', guid: (row.device_guid ?? '').toUpperCase() };
          case 'approved': {
            const site = row.site_id !== null && row.site_name !== null ? { id: row.site_id, name: row.site_name } : undefined;
            const done = await finalizeEnrollment(deps, trx, row, origin.ip, origin.requestId, site);
            effects.queueChanged = true;
            if (!done) {
              await repo.update(trx, row.id, { status: 'expired', updated_at: now });
              return { status: 'expired' };
            }
            effects.device = { guid: done.guid, site_id: done.siteId, change: done.change, trust: done.trustChange };
            const signingKey = preloadedKey ?? (await loadEngineSigningKey(trx));
            return {
              status: 'approved',
              guid: done.guid,
              agent_id: done.agentId,
              site_id: done.siteId,
              site_name: done.siteName,
              access_token: done.access.token,
              token_type: AGENT_TOKEN_TYPE,
              expires_in: done.access.expiresIn,
              refresh_token: done.refresh.token,
              refresh_expires_in: Math.round((done.refresh.expiresAt.getTime() - now.getTime()) / 1000),
              ...signingKey,
              ...(deps.agentTrust?.caPem ? { trust_anchor_pem: deps.agentTrust.caPem } : {}),
              server_time: now.toISOString(),
            };
          }
        }
      });
      const changed = effects.device;
      if (changed) {
        // After the commit the answer carries the only copy of the tokens: a failed count (a busy
        // pool) must not replace it with an error, which would leave the agent to reauthenticate.
        await codeUses.count(changed.site_id).catch(() => undefined);
        deps.deviceEvents.emit('device_changed', { guid: changed.guid, site_id: changed.site_id, change: changed.change });
        if (changed.trust) deps.deviceEvents.emit('trust_changed', { guid: changed.guid, reason: changed.trust });
      }
      if (effects.queueChanged) await announceQueue();
      return answer;
    },
  };
}

export type EnrollmentService = ReturnType<typeof createEnrollmentService>;

/** DPoP of an enrolment call: the proof's key must be the enrolling key (§2.3, §3.2 check 5). */
async function verifyDpop(trust: DeviceTrust, input: { method: string; path: string; header: string | readonly string[] | undefined; spki: Buffer }): Promise<void> {
  const result = await trust.dpop.verify({ method: input.method, path: input.path, header: input.header, expectedJkt: jktFromSpki(input.spki) });
  if (result.ok) return;
  throw new DpopError(result.code, result.message, result.serverTime);
}

/** A DPoP failure: 401 with `WWW-Authenticate: DPoP error="invalid_dpop_proof"` (§3.2). */
export class DpopError extends AppError {
  constructor(code: 'dpop_invalid' | 'dpop_replayed' | 'use_dpop_nonce', message: string, serverTime?: string) {
    super(code, message, serverTime ? [{ path: 'server_time', message: serverTime }] : undefined, serverTime ? { server_time: serverTime } : undefined);
  }
}
