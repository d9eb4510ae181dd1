// The credential store (security.md §3.5, data-model.md (c)): metadata for `credential_use`,
// changes for `credential_manage`, secrets under Aegis written once and never returned by a route.
// `revealCredential` is the one way to read a secret, for the job runner.

import {
  CREDENTIAL_SECRET_FIELDS,
  type CreateCredentialRequest,
  type Credential,
  type CredentialSecretField,
  type UpdateCredentialRequest,
} from '@borealis/protocol';
import type { Kysely, Updateable } from 'kysely';
import type { Clock } from '../../clock';
import type { CredentialsTable, Database } from '../../db/schema';
import { loadSiteScope, requireSitePermission, type ScopeUser, type SiteScope } from '../../db/site-scope';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors';
import type { AegisService } from '../aegis/aegis-service';
import type { Actor, AuditLog, DbExecutor } from '../audit/audit-log';
import { roleHas } from '../auth/permissions';
import { createSiteRepository, isUniqueViolation } from '../sites/site-repository';
import { createCredentialRepository, type CredentialRow } from './credential-repository';
import { remainingLostFields, secretAd, secretColumn, touchedSecretFields } from './credential-secrets';

export interface CredentialServiceDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly aegis: Pick<AegisService, 'encrypt' | 'decrypt'>;
  readonly audit: AuditLog;
}

/** A credential with its secrets in clear: for the job runner only, never for a response. */
export type RevealedCredential = Pick<
  CredentialRow,
  'id' | 'name' | 'site_id' | 'credential_type' | 'connection_type' | 'username' | 'become_method' | 'become_username'
> &
  Record<CredentialSecretField, string | null>;

const NOT_FOUND = 'No such credential';

/** Optional text fields: an empty string is stored as NULL; undefined stays undefined (absent). */
const blankToNull = (value: string | null | undefined) => (value === '' ? null : value);

export function present(row: CredentialRow): Credential {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    site_id: row.site_id,
    credential_type: row.credential_type,
    connection_type: row.connection_type,
    username: row.username,
    become_method: row.become_method,
    become_username: row.become_username,
    has_password: row.password_enc !== null,
    has_private_key: row.private_key_enc !== null,
    has_private_key_passphrase: row.private_key_passphrase_enc !== null,
    has_become_password: row.become_password_enc !== null,
    secret_state: row.secret_state,
    lost_secret_fields: row.lost_secret_fields ?? [],
    version: row.version,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function createCredentialService(deps: CredentialServiceDeps) {
  const { db, clock, aegis, audit } = deps;
  const repo = createCredentialRepository();
  const sites = createSiteRepository();

  /** A site named in a body: unknown or out of scope → 422; in scope without the right → 403. */
  const requireTargetSite = async (trx: DbExecutor, scope: SiteScope, siteId: number | null) => {
    if (siteId !== null && (scope.roleOn(siteId) === null || !(await sites.findById(trx, siteId)))) {
      throw new ValidationError([{ path: 'site_id', message: 'no such site' }]);
    }
    const role = scope.roleOn(siteId);
    if (role === null || !roleHas(role, 'credential_manage')) throw new ForbiddenError();
  };

  const encryptSecrets = (id: number, input: Partial<Record<CredentialSecretField, string | null>>) => {
    const out: Updateable<CredentialsTable> = {};
    for (const field of touchedSecretFields(input)) {
      const value = input[field];
      out[secretColumn(field)] = typeof value === 'string' ? aegis.encrypt(secretAd(id, field), value) : null;
    }
    return out;
  };

  const withNameConflicts = async <T>(name: string | undefined, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`A credential named "${name}" already exists`);
      throw err;
    }
  };

  return {
    /** Metadata of the credentials on sites where the caller's effective role holds `credential_use`. */
    async list(user: ScopeUser): Promise<Credential[]> {
      const scope = await loadSiteScope(db, user);
      return (await repo.list(db, scope.siteIdsWith('credential_use'))).map(present);
    },

    async get(user: ScopeUser, id: number): Promise<Credential> {
      const scope = await loadSiteScope(db, user);
      const row = await repo.findById(db, id);
      if (!row) throw new NotFoundError(NOT_FOUND);
      requireSitePermission(scope, row.site_id, 'credential_use', NOT_FOUND);
      return present(row);
    },

    async create(user: ScopeUser, input: CreateCredentialRequest, actor: Actor): Promise<Credential> {
      const siteId = input.site_id ?? null;
      const row = await withNameConflicts(input.name, () =>
        db.transaction().execute(async (trx) => {
          await requireTargetSite(trx, await loadSiteScope(trx, user), siteId);
          const now = clock.now();
          const id = await repo.insert(trx, {
            name: input.name,
            description: blankToNull(input.description) ?? null,
            site_id: siteId,
            credential_type: input.credential_type,
            connection_type: input.connection_type,
            username: blankToNull(input.username) ?? null,
            become_method: blankToNull(input.become_method) ?? null,
            become_username: blankToNull(input.become_username) ?? null,
            created_at: now,
            updated_at: now,
          });
          // The associated data names the row, so the envelopes follow the id in the same transaction.
          await repo.setSecrets(trx, id, encryptSecrets(id, input));
          const secretFields = CREDENTIAL_SECRET_FIELDS.filter((f) => typeof input[f] === 'string');
          await audit.record(trx, actor, {
            action: 'credential.created',
            targetType: 'credential',
            targetId: id,
            siteId,
            details: { name: input.name, secret_fields: secretFields },
          });
          return (await repo.findById(trx, id))!;
        }),
      );
      return present(row);
    },

    /**
     * Applies the fields present; secrets: absent keeps, null clears, a string replaces. With
     * `ifMatch`, a row whose version moved on → 409 version_conflict.
     */
    async update(user: ScopeUser, id: number, input: UpdateCredentialRequest, ifMatch: number | undefined, actor: Actor): Promise<Credential> {
      const fields = Object.entries(input)
        .filter(([, v]) => v !== undefined)
        .map(([k]) => k)
        .sort();
      if (fields.length === 0) throw new AppError('no_fields_to_update', 'Send at least one field to change');
      const row = await withNameConflicts(input.name, () =>
        db.transaction().execute(async (trx) => {
          const scope = await loadSiteScope(trx, user);
          const before = await repo.lockById(trx, id);
          if (!before) throw new NotFoundError(NOT_FOUND);
          requireSitePermission(scope, before.site_id, 'credential_manage', NOT_FOUND);
          if (ifMatch !== undefined && ifMatch !== before.version) {
            throw new ConflictError(`The credential changed meanwhile (version ${before.version}); reload it`, 'version_conflict');
          }
          if (input.site_id !== undefined && input.site_id !== before.site_id) await requireTargetSite(trx, scope, input.site_id);
          // Kysely leaves undefined values out of the SET list: absent fields keep their value.
          const changes: Updateable<CredentialsTable> = {
            name: input.name,
            description: blankToNull(input.description),
            site_id: input.site_id,
            credential_type: input.credential_type,
            connection_type: input.connection_type,
            username: blankToNull(input.username),
            become_method: blankToNull(input.become_method),
            become_username: blankToNull(input.become_username),
            ...encryptSecrets(id, input),
            updated_at: clock.now(),
          };
          if (before.secret_state === 'reset_required') {
            const lost = remainingLostFields(before.lost_secret_fields, touchedSecretFields(input));
            changes.lost_secret_fields = lost.length ? lost : null;
            if (lost.length === 0) changes.secret_state = 'ok';
          }
          const after = await repo.updateAtVersion(trx, id, before.version, changes);
          if (!after) throw new ConflictError('The credential changed meanwhile; reload it', 'version_conflict');
          await audit.record(trx, actor, { action: 'credential.updated', targetType: 'credential', targetId: id, siteId: after.site_id, details: { fields } });
          return after;
        }),
      );
      return present(row);
    },

    async remove(user: ScopeUser, id: number, actor: Actor): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const scope = await loadSiteScope(trx, user);
        const row = await repo.lockById(trx, id);
        if (!row) throw new NotFoundError(NOT_FOUND);
        requireSitePermission(scope, row.site_id, 'credential_manage', NOT_FOUND);
        await repo.deleteById(trx, id);
        await audit.record(trx, actor, { action: 'credential.deleted', targetType: 'credential', targetId: id, siteId: row.site_id, details: { name: row.name } });
      });
    },

    /**
     * Decrypts every secret of a credential, for the job runner. A value that fails to decrypt (a
     * copied or altered envelope) fails with 500 internal_error after an `aegis.decrypt_failed`
     * row; nothing of it is returned. The caller checks scope and records `credential.used`.
     */
    async revealCredential(id: number, actor: Actor): Promise<RevealedCredential> {
      const row = await repo.findById(db, id);
      if (!row) throw new NotFoundError(NOT_FOUND);
      const reveal = async (field: CredentialSecretField) => {
        const value = row[secretColumn(field)];
        return value === null ? null : aegis.decrypt(secretAd(id, field), value, actor);
      };
      const { name, site_id, credential_type, connection_type, username, become_method, become_username } = row;
      return {
        ...{ id, name, site_id, credential_type, connection_type, username, become_method, become_username },
        password: await reveal('password'),
        private_key: await reveal('private_key'),
        private_key_passphrase: await reveal('private_key_passphrase'),
        become_password: await reveal('become_password'),
      };
    },
  };
}

export type CredentialService = ReturnType<typeof createCredentialService>;
