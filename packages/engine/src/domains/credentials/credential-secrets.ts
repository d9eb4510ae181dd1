// The four secret fields of a credential, their Aegis columns and associated data, and how saving
// them settles a `reset_required` credential (security.md §3.5, §3.7).

import { CREDENTIAL_SECRET_FIELDS, type CredentialSecretField } from '@borealis/protocol';
import type { EnvelopeAd } from '../aegis/cipher/envelope';

export type SecretColumn = `${CredentialSecretField}_enc`;

export const secretColumn = (field: CredentialSecretField): SecretColumn => `${field}_enc`;

/** Where a secret of credential `id` lives: `credentials/<field>_enc/<id>`. */
export const secretAd = (id: number, field: CredentialSecretField): EnvelopeAd => ({ table: 'credentials', column: secretColumn(field), rowId: id });

/** The secret fields an update mentions (a string replaces, null clears). */
export function touchedSecretFields(input: Partial<Record<CredentialSecretField, string | null>>): CredentialSecretField[] {
  return CREDENTIAL_SECRET_FIELDS.filter((f) => input[f] !== undefined);
}

/**
 * The lost fields left once `touched` are saved or cleared; either settles a field. Names may be
 * the API field (`password`) or its column (`password_enc`), so both are matched.
 */
export function remainingLostFields(lost: readonly string[] | null, touched: readonly CredentialSecretField[]): string[] {
  const settled = new Set<string>(touched.flatMap((f) => [f, secretColumn(f)]));
  return (lost ?? []).filter((name) => !settled.has(name));
}
