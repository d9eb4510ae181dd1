// The assemblies library (automation.md §1.3–§1.4): list, read, create, edit with If-Match,
// delete unless in use, clone, revisions and restore, import and export. Official ones are read-only.

import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import {
  AssemblyGuidSchema,
  type Assembly,
  type AssemblyExport,
  type AssemblyImportResult,
  type AssemblyList,
  type AssemblyPayload,
  type AssemblyRevision,
  type AssemblyRevisionSummary,
} from '@borealis/protocol';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';
import { decodeCursor } from '../../db/cursor';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../errors';
import type { Actor, AuditLog, DbExecutor } from '../audit/audit-log';
import { normalizePayload, type NormalizedPayload } from './assembly-document';
import { ASSEMBLY_KEYSET, createAssemblyRepository, type AssemblyRow } from './assembly-repository';

export interface AssemblyLibraryDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly audit: AuditLog;
  /** The shared store's invalidation, so dispatchers see a save at once on this node. */
  readonly invalidate: (guid: string, deleted?: boolean) => void;
}

export interface AssemblyInput {
  readonly display_name?: string | undefined;
  readonly summary?: string | null | undefined;
  readonly change_note?: string | undefined;
  readonly payload: unknown;
}

const NOT_FOUND = 'No such assembly';

/** `script` for the script kinds, else the kind itself (§1.1). */
export function assemblyTypeOf(kind: AssemblyPayload['type']): string {
  return kind === 'ansible' || kind === 'workflow' ? kind : 'script';
}

function toAssembly(row: AssemblyRow, payload: AssemblyPayload): Assembly {
  return {
    assembly_guid: row.assembly_guid,
    assembly_type: row.assembly_type,
    assembly_subtype: row.assembly_subtype,
    display_name: row.display_name,
    summary: row.summary,
    domain: row.domain,
    site_id: row.site_id,
    revision: row.revision,
    content_hash: row.content_hash.toString('hex'),
    platforms: row.platforms,
    read_only: row.domain === 'official',
    source_path: row.source_path,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    payload,
  };
}

/** The display name and payload name are one value: the payload carries it for upstream tools. */
function normalizeWithName(input: AssemblyInput, strictVariableTypes = true): NormalizedPayload & { displayName: string } {
  const raw = typeof input.payload === 'object' && input.payload !== null && !Array.isArray(input.payload) ? { ...(input.payload as Record<string, unknown>) } : input.payload;
  const displayName = input.display_name ?? (typeof raw === 'object' && raw !== null && typeof (raw as Record<string, unknown>).name === 'string' ? String((raw as Record<string, unknown>).name).trim() : '');
  if (!displayName) throw new ValidationError([{ path: 'display_name', message: 'required (or payload.name)' }]);
  if (displayName.length > 200) throw new ValidationError([{ path: 'display_name', message: 'at most 200 characters' }]);
  if (typeof raw === 'object' && raw !== null) (raw as Record<string, unknown>).name = displayName;
  return { ...normalizePayload(raw, { strictVariableTypes }), displayName };
}

export function createAssemblyLibrary(deps: AssemblyLibraryDeps) {
  const { db, clock, audit } = deps;
  const repo = createAssemblyRepository();

  const load = async (executor: DbExecutor, guid: string): Promise<Assembly> => {
    const row = await repo.findWithPayload(executor, guid);
    if (!row) throw new NotFoundError(NOT_FOUND);
    const { payload, script_bytes: _bytes, ...assembly } = row;
    return toAssembly(assembly, payload as unknown as AssemblyPayload);
  };

  const parseGuid = (guid: string): string => {
    const parsed = AssemblyGuidSchema.safeParse(guid);
    if (!parsed.success) throw new NotFoundError(NOT_FOUND);
    return parsed.data;
  };

  const writable = async (trx: DbExecutor, guid: string): Promise<AssemblyRow> => {
    const row = await repo.find(trx, guid, true);
    if (!row) throw new NotFoundError(NOT_FOUND);
    if (row.domain === 'official') throw new AppError('assembly_read_only', 'Official assemblies are read-only; clone it to edit a copy');
    return row;
  };

  /** Inserts a new assembly at revision 1. */
  const insertNew = async (trx: DbExecutor, guid: string, n: NormalizedPayload & { displayName: string }, extra: { summary: string | null; domain: AssemblyRow['domain']; sourcePath?: string | null; changeNote: string | null; userId: string | null }) => {
    const now = clock.now();
    const hash = Buffer.from(n.contentHash, 'hex');
    await repo.insert(trx, {
      assembly_guid: guid,
      assembly_type: assemblyTypeOf(n.payload.type),
      assembly_subtype: n.payload.type,
      display_name: n.displayName,
      summary: extra.summary,
      domain: extra.domain,
      site_id: null,
      revision: 1,
      content_hash: hash,
      platforms: n.payload.platforms,
      source_path: extra.sourcePath ?? null,
      created_by_user_id: extra.userId,
      created_at: now,
      updated_at: now,
    });
    await repo.insertRevision(trx, { assembly_guid: guid, revision: 1, payload: n.payload, content_hash: hash, script_bytes: n.scriptBytes, change_note: extra.changeNote, created_by_user_id: extra.userId, created_at: now });
  };

  /** A new revision when the content changed; otherwise only the envelope (summary) moves. */
  const saveContent = async (trx: DbExecutor, row: AssemblyRow, n: NormalizedPayload & { displayName: string }, extra: { summary?: string | null; changeNote: string | null; userId: string | null }): Promise<boolean> => {
    const now = clock.now();
    const changed = row.content_hash.toString('hex') !== n.contentHash;
    if (!changed) {
      if (extra.summary !== undefined && extra.summary !== row.summary) await repo.update(trx, row.assembly_guid, { summary: extra.summary, updated_at: now });
      return false;
    }
    // Revisions are never reused, even after retention dropped some (history names them).
    const revision = Math.max(row.revision, await repo.maxRevision(trx, row.assembly_guid)) + 1;
    const hash = Buffer.from(n.contentHash, 'hex');
    await repo.insertRevision(trx, { assembly_guid: row.assembly_guid, revision, payload: n.payload, content_hash: hash, script_bytes: n.scriptBytes, change_note: extra.changeNote, created_by_user_id: extra.userId, created_at: now });
    await repo.update(trx, row.assembly_guid, {
      revision,
      content_hash: hash,
      display_name: n.displayName,
      assembly_type: assemblyTypeOf(n.payload.type),
      assembly_subtype: n.payload.type,
      platforms: n.payload.platforms,
      ...(extra.summary !== undefined ? { summary: extra.summary } : {}),
      updated_at: now,
    });
    await repo.prune(trx, row.assembly_guid, revision);
    return true;
  };

  const revisionSummary = (r: { revision: number; content_hash: Buffer; script_bytes: number; change_note: string | null; pinned: boolean; created_by_user_id: string | null; created_by_name: string | null; created_at: Date | string }, current: number): AssemblyRevisionSummary => ({
    revision: r.revision,
    content_hash: r.content_hash.toString('hex'),
    script_bytes: r.script_bytes,
    change_note: r.change_note,
    pinned: r.pinned,
    created_by_user_id: r.created_by_user_id,
    created_by_name: r.created_by_name,
    created_at: new Date(r.created_at).toISOString(),
    current: r.revision === current,
  });

  return {
    async list(query: { q?: string | undefined; domain?: AssemblyRow['domain'] | undefined; limit: number; cursor?: string | undefined }): Promise<AssemblyList> {
      const after = query.cursor === undefined ? undefined : decodeCursor(ASSEMBLY_KEYSET, query.cursor);
      if (after === null) throw new ValidationError([{ path: 'query.cursor', message: 'is not a cursor this list issued; start again without it' }]);
      const page = await repo.list(db, { q: query.q?.trim() || undefined, domain: query.domain, after, limit: query.limit });
      return {
        items: page.rows.map(({ script_bytes, variable_count, timeout_seconds, ...row }) => {
          const { payload: _p, ...summary } = toAssembly(row, {} as AssemblyPayload);
          return { ...summary, script_bytes, variable_count: Number(variable_count), timeout_seconds: Number(timeout_seconds) };
        }),
        next_cursor: page.nextCursor,
      };
    },

    async get(guid: string): Promise<Assembly> {
      return load(db, parseGuid(guid));
    },

    async create(input: AssemblyInput, actor: Actor): Promise<Assembly> {
      const n = normalizeWithName(input);
      const guid = randomUUID();
      return db.transaction().execute(async (trx) => {
        await insertNew(trx, guid, n, { summary: input.summary ?? null, domain: 'user', changeNote: input.change_note ?? null, userId: actor.id });
        await audit.record(trx, actor, { action: 'assembly.created', targetType: 'assembly', targetId: guid, details: { display_name: n.displayName, content_hash: n.contentHash } });
        return load(trx, guid);
      });
    },

    /** Saves a new revision when the content changed; stale `ifMatch` → 409 version_conflict. */
    async update(guidParam: string, input: AssemblyInput, ifMatch: number | undefined, actor: Actor): Promise<Assembly> {
      const guid = parseGuid(guidParam);
      const result = await db.transaction().execute(async (trx) => {
        const row = await writable(trx, guid);
        if (ifMatch !== undefined && ifMatch !== row.revision) throw new ConflictError(`The assembly changed meanwhile (revision ${row.revision}); reload it`, 'version_conflict');
        const n = normalizeWithName({ ...input, display_name: input.display_name ?? row.display_name });
        const changed = await saveContent(trx, row, n, { summary: input.summary, changeNote: input.change_note ?? null, userId: actor.id });
        if (changed) await audit.record(trx, actor, { action: 'assembly.updated', targetType: 'assembly', targetId: guid, details: { content_hash: n.contentHash } });
        return load(trx, guid);
      });
      deps.invalidate(guid);
      return result;
    },

    async remove(guidParam: string, actor: Actor): Promise<void> {
      const guid = parseGuid(guidParam);
      await db.transaction().execute(async (trx) => {
        const row = await writable(trx, guid);
        const users = await repo.usedBy(trx, guid);
        if (users.length > 0) {
          throw new AppError('assembly_in_use', `Scheduled jobs use this assembly: ${users.join(', ')}`, users.map((name) => ({ path: 'scheduled_jobs', message: name })));
        }
        await repo.remove(trx, guid);
        await audit.record(trx, actor, { action: 'assembly.deleted', targetType: 'assembly', targetId: guid, details: { display_name: row.display_name } });
      });
      deps.invalidate(guid, true);
    },

    /** A user-domain copy under a new GUID, at revision 1 (§1.4). */
    async clone(guidParam: string, input: { display_name?: string | undefined }, actor: Actor): Promise<Assembly> {
      const source = await load(db, parseGuid(guidParam));
      const displayName = input.display_name ?? (source.domain === 'official' ? source.display_name : `${source.display_name} (copy)`);
      const n = normalizeWithName({ display_name: displayName, payload: source.payload });
      const guid = randomUUID();
      return db.transaction().execute(async (trx) => {
        await insertNew(trx, guid, n, { summary: source.summary, domain: 'user', changeNote: `Cloned from ${source.assembly_guid} revision ${source.revision}`, userId: actor.id });
        await audit.record(trx, actor, { action: 'assembly.cloned', targetType: 'assembly', targetId: guid, details: { from: source.assembly_guid, revision: source.revision } });
        return load(trx, guid);
      });
    },

    async revisions(guidParam: string): Promise<{ items: AssemblyRevisionSummary[] }> {
      const guid = parseGuid(guidParam);
      const row = await repo.find(db, guid);
      if (!row) throw new NotFoundError(NOT_FOUND);
      return { items: (await repo.revisions(db, guid)).map((r) => revisionSummary(r, row.revision)) };
    },

    async revision(guidParam: string, n: number): Promise<AssemblyRevision> {
      const guid = parseGuid(guidParam);
      const row = await repo.find(db, guid);
      if (!row) throw new NotFoundError(NOT_FOUND);
      const r = await repo.revision(db, guid, n);
      if (!r) throw new NotFoundError(`No revision ${n} of this assembly`);
      return { ...revisionSummary(r, row.revision), assembly_guid: guid, payload: r.payload as unknown as AssemblyPayload };
    },

    /** Makes an old revision current as a new revision (or keeps the current one when identical). */
    async restore(guidParam: string, n: number, ifMatch: number | undefined, actor: Actor): Promise<Assembly> {
      const guid = parseGuid(guidParam);
      const result = await db.transaction().execute(async (trx) => {
        const row = await writable(trx, guid);
        if (ifMatch !== undefined && ifMatch !== row.revision) throw new ConflictError(`The assembly changed meanwhile (revision ${row.revision}); reload it`, 'version_conflict');
        const old = await repo.revision(trx, guid, n);
        if (!old) throw new NotFoundError(`No revision ${n} of this assembly`);
        const payload = old.payload as unknown as AssemblyPayload;
        const normalized = normalizeWithName({ display_name: payload.name, payload });
        await saveContent(trx, row, normalized, { changeNote: `Restored revision ${n}`, userId: actor.id });
        await audit.record(trx, actor, { action: 'assembly.restored', targetType: 'assembly', targetId: guid, details: { revision: n } });
        return load(trx, guid);
      });
      deps.invalidate(guid);
      return result;
    },

    async exportDocument(guidParam: string, revision: number | undefined): Promise<AssemblyExport> {
      const guid = parseGuid(guidParam);
      const current = await load(db, guid);
      const rev = revision === undefined ? { revision: current.revision, payload: current.payload, content_hash: current.content_hash } : await this.revision(guid, revision);
      const bytes = rev.payload.script_encoding === 'base64' ? rev.payload.script : Buffer.from(rev.payload.script, 'utf8').toString('base64');
      return {
        format: 'borealis-assembly-v1',
        assembly_guid: guid,
        assembly_type: current.assembly_type,
        assembly_subtype: rev.payload.type,
        display_name: rev.payload.name,
        summary: current.summary,
        domain: current.domain,
        revision: rev.revision,
        content_hash: rev.content_hash,
        exported_at: clock.now().toISOString(),
        // No credential values exist in payloads (credential variables hold store ids only).
        payload: { ...rev.payload, script: bytes, script_encoding: 'base64' },
      };
    },

    /** Our envelope, upstream's export/bundled envelope (`payload` object or JSON text) or an authoring document. */
    async importDocument(body: unknown, options: { on_conflict: 'reject' | 'new_revision' | 'new_guid' }, actor: Actor): Promise<AssemblyImportResult> {
      const doc = readImport(body);
      const n = normalizeWithName({ display_name: doc.displayName, payload: doc.payload }, false);
      let guid = doc.guid ?? randomUUID();
      const result = await db.transaction().execute(async (trx): Promise<AssemblyImportResult> => {
        const existing = await repo.find(trx, guid, true);
        if (existing) {
          if (options.on_conflict === 'reject') throw new ConflictError(`An assembly with GUID ${guid} exists; import with on_conflict=new_revision or new_guid`, 'assembly_exists');
          if (options.on_conflict === 'new_revision') {
            if (existing.domain === 'official') throw new AppError('assembly_read_only', 'Official assemblies are read-only; import with on_conflict=new_guid');
            const changed = await saveContent(trx, existing, n, { summary: doc.summary, changeNote: 'Imported', userId: actor.id });
            await audit.record(trx, actor, { action: 'assembly.imported', targetType: 'assembly', targetId: guid, details: { outcome: changed ? 'new_revision' : 'unchanged', content_hash: n.contentHash } });
            return { outcome: changed ? 'new_revision' : 'unchanged', assembly: await load(trx, guid) };
          }
          guid = randomUUID();
        }
        await insertNew(trx, guid, n, { summary: doc.summary ?? null, domain: 'user', changeNote: 'Imported', userId: actor.id });
        await audit.record(trx, actor, { action: 'assembly.imported', targetType: 'assembly', targetId: guid, details: { outcome: existing ? 'new_guid' : 'created', content_hash: n.contentHash } });
        return { outcome: existing ? 'new_guid' : 'created', assembly: await load(trx, guid) };
      });
      deps.invalidate(result.assembly.assembly_guid);
      return result;
    },
  };
}

export type AssemblyLibrary = ReturnType<typeof createAssemblyLibrary>;

interface ImportDocument {
  readonly guid: string | undefined;
  readonly displayName: string | undefined;
  readonly summary: string | null | undefined;
  readonly payload: unknown;
}

/** Tells the accepted import shapes apart; anything else is a 422 with a path. */
export function readImport(body: unknown): ImportDocument {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError([{ path: '(body)', message: 'expected an assembly document object' }]);
  const b = body as Record<string, unknown>;
  const guidOf = (v: unknown): string | undefined => {
    if (v === undefined || v === null || v === '') return undefined;
    const parsed = AssemblyGuidSchema.safeParse(v);
    if (!parsed.success) throw new ValidationError([{ path: 'assembly_guid', message: 'must be a UUID or 40 hex digits' }]);
    return parsed.data;
  };
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  if ('payload' in b) {
    let payload = b.payload;
    if (typeof payload === 'string') {
      try {
        payload = JSON.parse(payload) as unknown;
      } catch {
        throw new ValidationError([{ path: 'payload', message: 'is text but not JSON' }]);
      }
    }
    const p = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : {};
    const type = text(p.type) ?? text(b.assembly_subtype);
    return {
      guid: guidOf(b.assembly_guid ?? p.assembly_guid),
      displayName: text(b.display_name) ?? text(p.name),
      summary: b.summary === null ? null : text(b.summary),
      payload: typeof payload === 'object' && payload !== null ? { ...p, ...(type ? { type } : {}) } : payload,
    };
  }
  // Authoring shape: the payload itself at the top level.
  return { guid: guidOf(b.assembly_guid), displayName: text(b.display_name) ?? text(b.name), summary: text(b.summary), payload: b };
}
