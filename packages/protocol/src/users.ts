// Wire shapes of the user administration routes (security.md §4.1, §7.1): operators, their roles,
// second-factor state and site assignments. Passwords travel plain; `*_sha512` fields are refused.

import { z } from 'zod';
import { MfaSummarySchema, PasswordSchema, UserIdentityFields, UsernameSchema } from './auth';

/** Upstream sent SHA-512 digests from the browser; those fields are refused (security.md §4.2). */
const noSha512 = { password_sha512: z.never().optional(), new_password_sha512: z.never().optional() };

/** A role on input: ours, or upstream's `Admin` (admin) and `User` (operator). */
export const RoleInputSchema = z
  .enum(['admin', 'operator', 'viewer', 'Admin', 'User'])
  .transform((role) => (role === 'Admin' ? 'admin' : role === 'User' ? 'operator' : role));
export type RoleInput = z.input<typeof RoleInputSchema>;

/** A site assignment narrows the user's role on that site; null keeps `users.role` (§7.1). */
export const SiteAssignmentRoleSchema = z.enum(['operator', 'viewer']).nullable();

export const SiteIdSchema = z.number().int().positive().max(2_147_483_647);

export const SiteAssignmentSchema = z.object({ site_id: SiteIdSchema, role: SiteAssignmentRoleSchema });
export type SiteAssignment = z.infer<typeof SiteAssignmentSchema>;

export const UserSchema = z
  .object({
    ...UserIdentityFields,
    mfa: MfaSummarySchema.extend({ exempt: z.boolean() }),
    auth_reset_required: z.boolean(),
    password_change_required: z.boolean(),
    last_login_at: z.string().nullable(),
    disabled: z.boolean(),
    site_assignments: z.array(SiteAssignmentSchema),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof UserSchema>;

export const UserListSchema = z.object({ users: z.array(UserSchema) });
export type UserList = z.infer<typeof UserListSchema>;

export const CreateUserRequestSchema = z.strictObject({
  username: UsernameSchema,
  display_name: z.string().trim().max(128).optional(),
  role: RoleInputSchema,
  password: PasswordSchema,
  /** Default true: the new user picks their own password at first sign-in. */
  require_password_change: z.boolean().optional(),
  ...noSha512,
});
export type CreateUserRequest = z.infer<typeof CreateUserRequestSchema>;

export const ResetPasswordRequestSchema = z.strictObject({
  password: PasswordSchema,
  /** Also remove TOTP, recovery codes and passkeys (default false). */
  reset_mfa: z.boolean().optional(),
  ...noSha512,
});
export type ResetPasswordRequest = z.infer<typeof ResetPasswordRequestSchema>;

export const RoleChangeRequestSchema = z.strictObject({ role: RoleInputSchema });
export type RoleChangeRequest = z.infer<typeof RoleChangeRequestSchema>;

export const MfaActionSchema = z.enum(['reset', 'exempt', 'require']);
export type MfaAction = z.infer<typeof MfaActionSchema>;
export const MfaActionRequestSchema = z.strictObject({ action: MfaActionSchema });

export const SessionsRevokedSchema = z.object({ revoked: z.number().int() });

const MAX_ASSIGNMENTS = 1000;

/** `assignments` (ours) or upstream's `site_ids`; exactly one of them. */
export const SiteAssignRequestSchema = z
  .strictObject({
    username: z.string().min(1).max(256),
    assignments: z
      .array(z.strictObject({ site_id: SiteIdSchema, role: SiteAssignmentRoleSchema.optional() }))
      .max(MAX_ASSIGNMENTS)
      .optional(),
    site_ids: z.array(SiteIdSchema).max(MAX_ASSIGNMENTS).optional(),
  })
  .refine((body) => (body.assignments === undefined) !== (body.site_ids === undefined), {
    message: 'send either assignments or site_ids',
    path: ['assignments'],
  });
export type SiteAssignRequest = z.infer<typeof SiteAssignRequestSchema>;

export const SiteAssignmentSelectionRequestSchema = z.strictObject({
  usernames: z.array(z.string().min(1).max(256)).min(1).max(500),
});

export const SiteAssignmentSelectionSchema = z.object({
  /** Keyed by username as stored; unknown usernames are left out. */
  assignments: z.record(z.string(), z.array(SiteAssignmentSchema)),
});
export type SiteAssignmentSelection = z.infer<typeof SiteAssignmentSelectionSchema>;
