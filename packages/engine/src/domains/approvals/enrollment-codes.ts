// `GET /api/admin/enrollment-codes` (routes.tsv): every site's one active code in display form,
// with the install command that carries it. Admin-only, so every code may be decrypted.

import type { EnrollmentCodeList } from '@borealis/protocol';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { AegisService } from '../aegis/aegis-service';
import type { Actor } from '../audit/audit-log';

export async function listEnrollmentCodes(
  deps: { readonly db: Kysely<Database>; readonly aegis: Pick<AegisService, 'decrypt'>; readonly installCommand: (code: string) => string },
  actor: Actor,
): Promise<EnrollmentCodeList> {
  const sites = await deps.db
    .selectFrom('sites')
    .select(['id', 'name', 'enrollment_code_enc', 'enrollment_code_rotated_at', 'enrollment_code_expires_at', 'enrollment_code_max_uses', 'enrollment_code_uses'])
    .orderBy(sql`lower(name)`)
    .orderBy('id')
    .execute();
  const codes = [];
  for (const site of sites) {
    const code = site.enrollment_code_enc === null ? null : await deps.aegis.decrypt({ table: 'sites', column: 'enrollment_code_enc', rowId: site.id }, site.enrollment_code_enc, actor);
    codes.push({
      id: `site:${site.id}`,
      site_id: site.id,
      site_name: site.name,
      code,
      created_at: site.enrollment_code_rotated_at.toISOString(),
      expires_at: site.enrollment_code_expires_at?.toISOString() ?? null,
      max_uses: site.enrollment_code_max_uses,
      uses: site.enrollment_code_uses,
      install_command: code === null ? null : deps.installCommand(code),
    });
  }
  return { codes };
}
