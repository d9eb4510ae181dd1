// Refresh rotation on both dialects (agent-protocol §3.4, data-model.md §6): DM11 reuse detection,
// DM12 one winner among concurrent rotations, the 30 s lost-response grace and the failure codes.

import { randomBytes } from 'node:crypto';
import {
  ColumnNode,
  sql,
  UpdateQueryNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryId,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../../test/databases';
import { createManualClock } from '../../../clock';
import { AppError } from '../../../errors';
import { createAuditLog } from '../../audit/audit-log';
import { createRefreshTokens, hashRefreshToken, REFRESH_TOKEN_BYTES, type RefreshTokens } from './refresh-tokens';
import { insertTestDevice, openTrustTestDatabase, type TrustTestDatabase } from './trust-test-database';

/** Counts the rotation's conditional `SET used_at` UPDATEs and how many of them changed a row. */
function usedAtUpdateWatcher(): KyselyPlugin & { attempts: number; wins: number } {
  const watched = new Set<QueryId>();
  const watcher = {
    attempts: 0,
    wins: 0,
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      const node = args.node;
      if (UpdateQueryNode.is(node) && node.updates?.some((u) => ColumnNode.is(u.column) && u.column.column.name === 'used_at')) {
        watcher.attempts += 1;
        watched.add(args.queryId);
      }
      return node;
    },
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      if (watched.delete(args.queryId) && args.result.rows.length === 1) watcher.wins += 1;
      return args.result;
    },
  };
  return watcher;
}

const jkt = () => randomBytes(32).toString('base64url');

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err.code;
}

describe.each(DIALECTS)('refresh tokens on %s', (dialect) => {
  let t: TrustTestDatabase;
  let tokens: RefreshTokens;
  const clock = createManualClock('2026-03-01T12:00:00Z');
  beforeAll(async () => {
    t = await openTrustTestDatabase(dialect, 'refresh_tokens');
    tokens = createRefreshTokens({ db: t.database.db, clock, audit: createAuditLog({ clock }) });
  });
  afterAll(() => t.close());

  const familyRows = (familyId: string) => t.database.db.selectFrom('refresh_tokens').selectAll().where('family_id', '=', familyId).execute();
  const liveCount = async (guid: string) =>
    (await t.database.db.selectFrom('refresh_tokens').select('id').where('device_guid', '=', guid).where('used_at', 'is', null).where('revoked_at', 'is', null).execute()).length;

  it('issues an opaque 64-character token, stores only its SHA-256 and expires it after 30 days', async () => {
    const guid = await insertTestDevice(t.database.db, clock.now());
    const issued = await tokens.issueFamily(t.database.db, { deviceGuid: guid, jkt: jkt() });
    expect(issued.token).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(Buffer.from(issued.token, 'base64url')).toHaveLength(REFRESH_TOKEN_BYTES);
    const row = await t.database.db.selectFrom('refresh_tokens').selectAll().where('id', '=', issued.id).executeTakeFirstOrThrow();
    expect(row.token_hash.equals(hashRefreshToken(issued.token))).toBe(true);
    expect(new Date(row.expires_at).getTime() - clock.now().getTime()).toBe(30 * 86_400_000);
  });

  it('rotates into a child of the same family and marks the parent used', async () => {
    const guid = await insertTestDevice(t.database.db, clock.now());
    const key = jkt();
    const first = await tokens.issueFamily(t.database.db, { deviceGuid: guid, jkt: key });
    const second = await tokens.rotate({ guid, token: first.token, jkt: key });
    expect(second.familyId).toBe(first.familyId);
    const rows = await familyRows(first.familyId);
    expect(rows.find((r) => r.id === first.id)?.used_at).not.toBeNull();
    expect(rows.find((r) => r.id === second.id)?.parent_id).toBe(first.id);
    expect(await liveCount(guid)).toBe(1);
  });

  it('rejects an unknown token, another device, another key and an expired token', async () => {
    const guid = await insertTestDevice(t.database.db, clock.now());
    const other = await insertTestDevice(t.database.db, clock.now());
    const key = jkt();
    const issued = await tokens.issueFamily(t.database.db, { deviceGuid: guid, jkt: key });
    expect(await codeOf(tokens.rotate({ guid, token: 'nope', jkt: key }))).toBe('invalid_refresh_token');
    expect(await codeOf(tokens.rotate({ guid: other, token: issued.token, jkt: key }))).toBe('invalid_refresh_token');
    expect(await codeOf(tokens.rotate({ guid, token: issued.token, jkt: jkt() }))).toBe('invalid_refresh_token');
    const later = createManualClock(new Date(clock.now().getTime() + 30 * 86_400_000));
    const lateTokens = createRefreshTokens({ db: t.database.db, clock: later, audit: createAuditLog({ clock: later }) });
    expect(await codeOf(lateTokens.rotate({ guid, token: issued.token, jkt: key }))).toBe('refresh_token_expired');
    expect(await liveCount(guid)).toBe(1);
  });

  it('DM11: presenting the first token after 3 rotations revokes the whole family with one audit row', async () => {
    const guid = await insertTestDevice(t.database.db, clock.now());
    const bystander = await insertTestDevice(t.database.db, clock.now());
    const key = jkt();
    const first = await tokens.issueFamily(t.database.db, { deviceGuid: guid, jkt: key });
    const bystanderFamily = await tokens.issueFamily(t.database.db, { deviceGuid: bystander, jkt: jkt() });
    let current = first;
    for (let i = 0; i < 3; i += 1) current = await tokens.rotate({ guid, token: current.token, jkt: key });

    expect(await codeOf(tokens.rotate({ guid, token: first.token, jkt: key }))).toBe('refresh_token_reused');

    const rows = await familyRows(first.familyId);
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row.revoked_at).not.toBeNull();
      expect(row.revoke_reason).toBe('reuse_detected');
    }
    const audits = await t.database.db.selectFrom('audit_events').selectAll().where('action', '=', 'device.refresh_reuse_detected').where('target_id', '=', guid).execute();
    expect(audits).toHaveLength(1);
    expect(audits[0]?.severity).toBe('high');
    const untouched = await familyRows(bystanderFamily.familyId);
    expect(untouched.every((r) => r.revoked_at === null && r.revoke_reason === null)).toBe(true);
    expect(await codeOf(tokens.rotate({ guid, token: current.token, jkt: key }))).toBe('refresh_token_revoked');
  });

  it('a retry within 30 s of a lost response supersedes the unused child; after 30 s it is reuse', async () => {
    const guid = await insertTestDevice(t.database.db, clock.now());
    const key = jkt();
    const first = await tokens.issueFamily(t.database.db, { deviceGuid: guid, jkt: key });
    const lost = await tokens.rotate({ guid, token: first.token, jkt: key });
    clock.advance(29_000);
    const retried = await tokens.rotate({ guid, token: first.token, jkt: key });
    const rows = await familyRows(first.familyId);
    expect(rows.find((r) => r.id === lost.id)?.revoke_reason).toBe('superseded');
    expect(rows.find((r) => r.id === retried.id)?.parent_id).toBe(first.id);
    expect(await liveCount(guid)).toBe(1);
    expect(await codeOf(tokens.rotate({ guid, token: lost.token, jkt: key }))).toBe('refresh_token_revoked');

    clock.advance(2_000);
    expect(await codeOf(tokens.rotate({ guid, token: first.token, jkt: key }))).toBe('refresh_token_reused');
    expect(await liveCount(guid)).toBe(0);
  });

  it('refuses a revoked device without consuming the token', async () => {
    const guid = await insertTestDevice(t.database.db, clock.now());
    const key = jkt();
    const issued = await tokens.issueFamily(t.database.db, { deviceGuid: guid, jkt: key });
    await t.database.db.updateTable('devices').set({ status: 'revoked' }).where('guid', '=', guid).execute();
    expect(await codeOf(tokens.rotate({ guid, token: issued.token, jkt: key }))).toBe('device_revoked');
    const row = await t.database.db.selectFrom('refresh_tokens').select('used_at').where('id', '=', issued.id).executeTakeFirstOrThrow();
    expect(row.used_at).toBeNull();
  });

  it('revokeDeviceFamilies revokes every live row of the device only', async () => {
    const guid = await insertTestDevice(t.database.db, clock.now());
    const other = await insertTestDevice(t.database.db, clock.now());
    await tokens.issueFamily(t.database.db, { deviceGuid: guid, jkt: jkt() });
    await tokens.issueFamily(t.database.db, { deviceGuid: guid, jkt: jkt() });
    await tokens.issueFamily(t.database.db, { deviceGuid: other, jkt: jkt() });
    expect(await tokens.revokeDeviceFamilies(t.database.db, guid, 'reauth')).toBe(2);
    expect(await liveCount(guid)).toBe(0);
    expect(await liveCount(other)).toBe(1);
  });

  it('DM12: of 20 concurrent rotations of one token exactly one used_at update wins, leaving at most one live token', async () => {
    const guid = await insertTestDevice(t.database.db, clock.now());
    const key = jkt();
    const first = await tokens.issueFamily(t.database.db, { deviceGuid: guid, jkt: key });
    const watcher = usedAtUpdateWatcher();
    const watched = createRefreshTokens({ db: t.database.db.withPlugin(watcher), clock, audit: createAuditLog({ clock }) });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => watched.rotate({ guid, token: first.token, jkt: key })));
    expect(watcher.attempts).toBe(20);
    expect(watcher.wins).toBe(1);
    // The 19 losers fall within the 30 s grace: each supersedes the unused child in turn.
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(20);
    expect(await liveCount(guid)).toBeLessThanOrEqual(1);
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM refresh_tokens WHERE device_guid = ${guid} AND used_at IS NOT NULL`.execute(t.database.db);
    expect(rows[0]?.n).toBe(1);
  });
});
