// Wire shapes of the credential store (security.md §3.5, data-model.md (c)). Secrets go in on
// create and update and never come back out: responses carry `has_*` flags only.

import { z } from 'zod';

export const CredentialTypeSchema = z.enum(['machine', 'domain', 'token']);
export const ConnectionTypeSchema = z.enum(['ssh', 'windows', 'winrm']);
export const CredentialSecretStateSchema = z.enum(['ok', 'reset_required']);

/** The secret fields, each stored as one Aegis envelope in `<field>_enc`. */
export const CREDENTIAL_SECRET_FIELDS = ['password', 'private_key', 'private_key_passphrase', 'become_password'] as const;
export type CredentialSecretField = (typeof CREDENTIAL_SECRET_FIELDS)[number];

const intId = z.number().int().positive().max(2_147_483_647);
const name = z.string().trim().min(1, 'is required').max(128, 'must be at most 128 characters');
const text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);
/** At most 64 KiB of UTF-8 (the envelope limit, security.md §3.3); checked again on encryption. */
const secret = z.string().min(1, 'must not be empty; send null to clear').max(65_536);

export const CredentialSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    site_id: z.number().int().nullable(),
    credential_type: CredentialTypeSchema,
    connection_type: ConnectionTypeSchema,
    username: z.string().nullable(),
    become_method: z.string().nullable(),
    become_username: z.string().nullable(),
    has_password: z.boolean(),
    has_private_key: z.boolean(),
    has_private_key_passphrase: z.boolean(),
    has_become_password: z.boolean(),
    /** `reset_required` after an Aegis force reset until the lost secrets are saved again. */
    secret_state: CredentialSecretStateSchema,
    lost_secret_fields: z.array(z.string()),
    version: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Credential' });
export type Credential = z.infer<typeof CredentialSchema>;

export const CredentialListSchema = z.object({ credentials: z.array(CredentialSchema) });
export type CredentialList = z.infer<typeof CredentialListSchema>;

export const CredentialIdParamsSchema = z.object({ credential_id: z.coerce.number().pipe(intId) });

export const CreateCredentialRequestSchema = z.strictObject({
  name,
  description: text(1024).nullable().optional(),
  site_id: intId.nullable().optional(),
  credential_type: CredentialTypeSchema,
  connection_type: ConnectionTypeSchema,
  username: text(256).nullable().optional(),
  password: secret.nullable().optional(),
  private_key: secret.nullable().optional(),
  private_key_passphrase: secret.nullable().optional(),
  become_method: text(32).nullable().optional(),
  become_username: text(256).nullable().optional(),
  become_password: secret.nullable().optional(),
});
export type CreateCredentialRequest = z.infer<typeof CreateCredentialRequestSchema>;

/** Every field optional. Secret fields: absent keeps, null clears, a string replaces. */
export const UpdateCredentialRequestSchema = CreateCredentialRequestSchema.partial();
export type UpdateCredentialRequest = z.infer<typeof UpdateCredentialRequestSchema>;

/** `If-Match: <version>` (also `"<version>"` or `W/"<version>"`); absent = no version check. */
export const IfMatchHeadersSchema = z.looseObject({
  'if-match': z
    .string()
    .regex(/^(?:W\/)?"?\d{1,9}"?$/, 'must be the version number')
    .optional(),
});
