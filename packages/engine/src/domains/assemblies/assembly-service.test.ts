// The assembly store API other domains use: resolve through the cache (latest pointer max age 60 s)
// and the job-signing key, readable only while Aegis is unlocked (automation.md §1.3, §1.5).

import { createPublicKey, sign, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../clock';
import { DIALECTS } from '../../../test/databases';
import { startTestEngine, type TestEngine } from '../../../test/engine-harness';
import { setUpEngine } from '../../../test/factories';
import { AppError } from '../../errors';
import { normalizePayload } from './assembly-document';
import { createAssemblyService } from './assembly-service';

const GUID = '0b7e7a52-7a3b-4c55-9a44-000000000001';

describe.each(DIALECTS)('assembly store API on %s', (dialect) => {
  let t: TestEngine;
  const clock = createManualClock(new Date('2026-11-26T08:00:00Z'));

  const saveRevision = async (revision: number, script: string) => {
    const n = normalizePayload({ name: 'Probe', type: 'bash', script, variables: [{ name: 'X', type: 'string', default: 'd' }] });
    const db = t.engine.ctx.db;
    const now = clock.now();
    if (revision === 1) {
      await db
        .insertInto('assemblies')
        .values({ assembly_guid: GUID, assembly_type: 'script', assembly_subtype: 'bash', display_name: 'Probe', summary: null, domain: 'user', site_id: null, revision, content_hash: Buffer.from(n.contentHash, 'hex'), platforms: ['linux'], source_path: null, created_by_user_id: null, created_at: now, updated_at: now })
        .execute();
    } else {
      await db.updateTable('assemblies').set({ revision, content_hash: Buffer.from(n.contentHash, 'hex') }).where('assembly_guid', '=', GUID).execute();
    }
    await db.insertInto('assembly_revisions').values({ assembly_guid: GUID, revision, payload: JSON.stringify(n.payload), content_hash: Buffer.from(n.contentHash, 'hex'), script_bytes: n.scriptBytes, change_note: null, created_by_user_id: null, created_at: now }).execute();
    return n;
  };

  beforeAll(async () => {
    t = await startTestEngine({ dialect, clock });
    await setUpEngine(t);
  });
  afterAll(async () => t?.close());

  it('resolves the latest revision, keeps it for 60 s, then sees a newer one; pinned revisions stay resolvable', async () => {
    const store = createAssemblyService({ db: t.engine.ctx.db, clock, keyring: t.engine.ctx.security!.keyring });
    const first = await saveRevision(1, 'echo one\n');
    const a = await store.resolve(GUID.toUpperCase());
    expect(a).toMatchObject({ assembly_guid: GUID, revision: 1, content_hash: first.contentHash, display_name: 'Probe', assembly_subtype: 'bash' });
    expect(a.payload).toMatchObject({ type: 'bash', script: 'echo one\n', script_encoding: 'plain', platforms: ['linux'], timeout_seconds: 3600, warning_exit_codes: [] });
    expect(a.script.toString()).toBe('echo one\n');

    await saveRevision(2, 'echo two\n');
    // Another node saved: until invalidation or 60 s, "latest" is the cached pointer.
    expect((await store.resolve(GUID)).revision).toBe(1);
    clock.advance(60_000);
    expect((await store.resolve(GUID)).revision).toBe(2);
    expect((await store.resolve(GUID, 1)).script.toString()).toBe('echo one\n');

    await saveRevision(3, 'echo three\n');
    store.invalidate(GUID);
    expect((await store.resolve(GUID)).revision).toBe(3);
    await expect(store.resolve(GUID, 9)).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.resolve('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('the context carries one shared store', () => {
    expect(typeof t.engine.ctx.security!.assemblies.resolve).toBe('function');
  });

  it('signingKey() returns the Aegis-wrapped key agents pinned, and 423 engine_locked while locked', async () => {
    const store = t.engine.ctx.security!.assemblies;
    expect(store.canSign()).toBe(true);
    const key = await store.signingKey();
    const row = await t.engine.ctx.db.selectFrom('signing_keys').select(['key_id', 'public_key_spki']).where('state', '=', 'active').executeTakeFirstOrThrow();
    expect(key.key_id).toBe(row.key_id);
    const message = Buffer.from('borealis-job-v1\n{}');
    expect(verify(null, message, createPublicKey({ key: row.public_key_spki, format: 'der', type: 'spki' }), sign(null, message, key.privateKey))).toBe(true);

    const locked = createAssemblyService({ db: t.engine.ctx.db, clock, keyring: null });
    expect(locked.canSign()).toBe(false);
    const err = await locked.signingKey().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'engine_locked', status: 423 });

    t.engine.ctx.security!.keyring.zero();
    expect(store.canSign()).toBe(false);
    await expect(store.signingKey()).rejects.toMatchObject({ code: 'engine_locked' });
  });
});
