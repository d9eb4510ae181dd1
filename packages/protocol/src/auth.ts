// Wire shapes of the bootstrap gate and operator sign-in (security.md §2, §4, §5).

import { z } from 'zod';

export const GatePhaseSchema = z.enum([
  'aegis_setup_required',
  'aegis_unlock_required',
  'admin_setup_required',
  'admin_recovery_required',
  'login_required',
  'ready',
]);
export type GatePhase = z.infer<typeof GatePhaseSchema>;

export const BootstrapStateSchema = z
  .object({
    phase: GatePhaseSchema,
    configured: z.boolean(),
    locked: z.boolean(),
    setup_token_required: z.boolean(),
    server_time: z.string(),
  })
  .meta({ id: 'BootstrapState' });
export type BootstrapState = z.infer<typeof BootstrapStateSchema>;

/** Upstream sent SHA-512 digests from the browser; those fields are refused (security.md §4.2). */
const noSha512 = { password_sha512: z.never().optional(), current_password_sha512: z.never().optional(), new_password_sha512: z.never().optional() };

export const PassphraseSchema = z.string().max(4096);
export const SetupTokenField = { setup_token: z.string().max(128).optional() };

export const AegisCipherRequestSchema = z.object({ cipher: PassphraseSchema, ...SetupTokenField });

export const UsernameSchema = z
  .string()
  .min(3, 'must be 3-64 characters')
  .max(64, 'must be 3-64 characters')
  .regex(/^[A-Za-z0-9._@-]+$/, 'may contain letters, digits and . _ @ - only');
export const PasswordSchema = z.string().min(1, 'is required').max(1024);

export const AdminSetupRequestSchema = z.strictObject({
  username: UsernameSchema,
  display_name: z.string().trim().max(128).optional(),
  password: PasswordSchema,
  ...SetupTokenField,
  ...noSha512,
});

export const AdminRecoverRequestSchema = z.strictObject({
  username: z.string().max(64),
  password: PasswordSchema,
  ...SetupTokenField,
  ...noSha512,
});

export const TotpEnrolmentSchema = z.object({
  secret: z.string(),
  otpauth_url: z.string(),
  qr_png_data_url: z.string(),
  expires_in: z.number().int(),
});

export const MfaSetupTicketSchema = TotpEnrolmentSchema.extend({
  status: z.literal('mfa_setup_required'),
  pending_token: z.string(),
});

export const CodeSchema = z.string().trim().max(64);

export const TicketVerifyRequestSchema = z.object({
  pending_token: z.string().max(128),
  code: CodeSchema,
  ...SetupTokenField,
});

export const MfaSummarySchema = z.object({
  totp: z.boolean(),
  passkeys: z.number().int(),
  recovery_codes_left: z.number().int(),
});

export const RoleSchema = z.enum(['admin', 'operator', 'viewer']);

/** Who a user is; shared by `me` and the admin user list. */
export const UserIdentityFields = {
  id: z.string(),
  username: z.string(),
  display_name: z.string().nullable(),
  role: RoleSchema,
  auth_source: z.enum(['local', 'directory']),
};

export const MeSchema = z
  .object({
    ...UserIdentityFields,
    mfa: MfaSummarySchema,
    password_change_required: z.boolean(),
    site_ids: z.array(z.number().int()),
  })
  .meta({ id: 'Me' });
export type Me = z.infer<typeof MeSchema>;

export const SignedInSchema = z.object({
  status: z.literal('ok'),
  user: MeSchema,
  csrf_token: z.string(),
  recovery_codes: z.array(z.string()).optional(),
});
export type SignedIn = z.infer<typeof SignedInSchema>;

export const LoginRequestSchema = z.strictObject({
  username: z.string().max(256),
  password: PasswordSchema,
  ...noSha512,
});

export const LoginResponseSchema = z.union([
  SignedInSchema,
  z.object({
    status: z.literal('mfa_required'),
    pending_token: z.string(),
    expires_in: z.number().int(),
    methods: z.array(z.enum(['totp', 'recovery_code', 'passkey'])),
  }),
  z.object({ status: z.literal('mfa_setup_required'), pending_token: z.string(), expires_in: z.number().int() }),
]);
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

export const MfaVerifyRequestSchema = z
  .object({
    pending_token: z.string().max(128).optional(),
    code: CodeSchema.optional(),
    recovery_code: CodeSchema.optional(),
    password: PasswordSchema.optional(),
  })
  .refine((b) => b.code !== undefined || b.recovery_code !== undefined || b.password !== undefined, {
    message: 'send code, recovery_code or password',
    path: ['code'],
  });

export const StepUpResponseSchema = z.object({ status: z.literal('ok'), csrf_token: z.string(), verified_at: z.string() });

export const TotpSetupRequestSchema = z.object({ pending_token: z.string().max(128).optional() });
export const TotpConfirmRequestSchema = z.object({ code: CodeSchema, pending_token: z.string().max(128).optional() });
export const RecoveryCodesSchema = z.object({ recovery_codes: z.array(z.string()) });

export const CsrfSchema = z.object({ csrf_token: z.string() });

export const SessionSummarySchema = z.object({
  id: z.string(),
  created_at: z.string(),
  last_seen_at: z.string(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  auth_method: z.string(),
  current: z.boolean(),
});
export const SessionListSchema = z.object({ sessions: z.array(SessionSummarySchema) });

export const PasswordChangeRequestSchema = z.strictObject({
  current_password: PasswordSchema,
  new_password: PasswordSchema,
  ...noSha512,
});

export const AegisStatusSchema = z
  .object({
    configured: z.boolean(),
    locked: z.boolean(),
    kdf: z.object({ name: z.string(), n: z.number(), r: z.number(), p: z.number() }).nullable(),
    active_key_id: z.string().nullable(),
    protected_counts: z.record(z.string(), z.number()),
    rotation: z
      .object({
        id: z.string(),
        state: z.string(),
        total: z.number(),
        done: z.number(),
        started_at: z.string(),
        finished_at: z.string().nullable(),
        error: z.string().nullable(),
      })
      .nullable(),
  })
  .meta({ id: 'AegisStatus' });

export const OkSchema = z.object({ status: z.literal('ok') });
