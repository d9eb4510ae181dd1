// A user's argon2id PHC string lives only inside an Aegis envelope bound to users/password_hash_enc/<id>;
// these two functions are the one place that knows that binding.

import type { AegisService } from '../aegis/aegis-service';
import type { Actor } from '../audit/audit-log';

const ad = (userId: string) => ({ table: 'users', column: 'password_hash_enc', rowId: userId });

export function sealPasswordHash(aegis: Pick<AegisService, 'encrypt'>, userId: string, phc: string): string {
  return aegis.encrypt(ad(userId), phc);
}

/** The PHC string, or null for a user without a password (after a force reset). */
export async function openPasswordHash(
  aegis: Pick<AegisService, 'decrypt'>,
  user: { id: string; password_hash_enc: string | null },
  actor: Actor,
): Promise<string | null> {
  return user.password_hash_enc ? aegis.decrypt(ad(user.id), user.password_hash_enc, actor) : null;
}
