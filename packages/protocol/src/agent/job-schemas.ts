// Quick-job wire shapes (agent-protocol §5.3, §6.1, §6.4–§6.6; automation.md §1.5, §2.2) and the
// signed job document both the engine (signing at dispatch) and the agent (verifying) build.

import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { DeviceGuidSchema, SigningKeyIdSchema } from './agent-identity';
import { decodeB64, encodeB64 } from './base64';
import { verifyEd25519 } from './compact-jws';
import { labelledDocumentInput, SIGNATURE_LABELS } from './signature-labels';

const isoTime = z.iso.datetime();
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256');

export const JOB_SCRIPT_TYPES = ['bash', 'sh', 'python', 'powershell'] as const;
export const JOB_RUN_MODES = ['system', 'current_user'] as const;
/** automation.md §2.2 statuses, as stored and shown. */
export const EXECUTION_STATUSES = ['Pending', 'Running', 'Success', 'Warning', 'Failed', 'Expired', 'Timed Out', 'Skipped', 'Cancelled'] as const;
export type ExecutionStatusName = (typeof EXECUTION_STATUSES)[number];
/** What an agent may report as a final status (§6.4). */
export const AGENT_RESULT_STATUSES = ['Success', 'Warning', 'Failed', 'Timed Out', 'Cancelled'] as const;

/** Environment keys (§6.3): `^[A-Z_][A-Z0-9_]*$`, value ≤ 32 KiB, total ≤ 256 KiB. */
export const JobEnvironmentSchema = z
  .record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'environment keys must match ^[A-Z_][A-Z0-9_]*$'), z.string().max(32 * 1024, 'an environment value may be at most 32 KiB'))
  .refine((env) => Object.entries(env).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0) <= 256 * 1024, 'environment may be at most 256 KiB in total');

export const JobFileRefSchema = z.object({ file_name: z.string().min(1).max(255), sha256: sha256Hex, size: z.number().int().nonnegative(), url: z.string().max(2048) });

export const QuickJobRunContextSchema = z.object({
  assembly_guid: z.string().min(1).max(64),
  assembly_revision: z.number().int().nonnegative(),
  scheduled_job_id: z.number().int().optional(),
  scheduled_run_id: z.string().max(32).optional(),
  source: z.string().max(32),
  queue_lane: z.string().max(32).optional(),
});

/** `quick_job_run` (E→A, §6.1). */
export const QuickJobRunPayloadSchema = z.object({
  job_id: z.string().uuid(),
  device_guid: DeviceGuidSchema,
  quick_job_id: z.string().max(64),
  script_type: z.enum(JOB_SCRIPT_TYPES),
  script_name: z.string().max(255),
  script_content: z.string(),
  script_encoding: z.literal('base64'),
  script_sha256: sha256Hex,
  files: z.array(JobFileRefSchema).max(32),
  environment: JobEnvironmentSchema,
  run_mode: z.enum(JOB_RUN_MODES),
  timeout_seconds: z.number().int().min(1).max(86_400),
  warning_exit_codes: z.array(z.number().int()).max(16),
  output_max_bytes: z.number().int().min(64 * 1024).max(16 * 1024 * 1024),
  issued_at: isoTime,
  not_after: isoTime,
  signing_key_id: SigningKeyIdSchema,
  sig_alg: z.literal('ed25519'),
  signature: z.string().max(128),
  context: QuickJobRunContextSchema,
});
export type QuickJobRunPayload = z.infer<typeof QuickJobRunPayloadSchema>;

export const QuickJobRunAckSchema = z.union([
  z.object({ accepted: z.literal(true), duplicate: z.boolean().optional() }),
  z.object({
    accepted: z.literal(false),
    error_code: z.enum(['invalid_payload', 'device_mismatch', 'signature_invalid', 'payload_expired', 'hash_mismatch', 'interpreter_not_found', 'unsupported_run_mode', 'agent_busy', 'agent_updating']),
  }),
]);
export type QuickJobRunAck = z.infer<typeof QuickJobRunAckSchema>;

/** `quick_job_progress` (A→E, §6.5): an output chunk (with seq) or a phase change (without). */
export const QuickJobProgressSchema = z.union([
  z.object({
    job_id: z.string().uuid(),
    seq: z.number().int().nonnegative(),
    stream: z.enum(['stdout', 'stderr']),
    chunk: z.string().max(64 * 1024),
    phase: z.literal('executing'),
  }),
  // Strict, so a malformed output chunk is not silently read as a phase change.
  z.strictObject({
    job_id: z.string().uuid(),
    phase: z.enum(['queued_on_agent', 'executing']),
    pid: z.number().int().positive().optional(),
    started_at: isoTime.optional(),
  }),
]);
export type QuickJobProgress = z.infer<typeof QuickJobProgressSchema>;

/** `quick_job_result` (A→E, §6.6), also the body of `POST /api/agent/jobs/:job_id/result`. */
export const QuickJobResultSchema = z.object({
  job_id: z.string().uuid(),
  status: z.enum(AGENT_RESULT_STATUSES),
  exit_code: z.number().int().nullable(),
  signal: z.string().max(32).nullable(),
  error_code: z.string().max(64).optional(),
  error: z.string().max(2000).optional(),
  stdout: z.string(),
  stderr: z.string(),
  stdout_truncated: z.boolean(),
  stderr_truncated: z.boolean(),
  stdout_total_bytes: z.number().int().nonnegative(),
  stderr_total_bytes: z.number().int().nonnegative(),
  accepted_at: isoTime.nullable(),
  started_at: isoTime.nullable(),
  finished_at: isoTime,
  duration_ms: z.number().int().nonnegative(),
});
export type QuickJobResult = z.infer<typeof QuickJobResultSchema>;

/** `quick_job_cancel` (E→A) and its ack. */
export const QuickJobCancelSchema = z.object({ job_id: z.string().uuid(), reason: z.string().max(64), requested_by: z.string().max(255) });
export const QuickJobCancelAckSchema = z.object({ ok: z.literal(true), state: z.enum(['cancelling', 'not_found', 'finished']) });

/** The fields the engine signs (automation.md §1.5); everything else in the payload is unsigned. */
export interface SignedJobFields {
  readonly job_id: string;
  readonly device_guid: string;
  readonly script_type: string;
  readonly script_sha256: string;
  readonly files: ReadonlyArray<{ readonly file_name: string; readonly sha256: string }>;
  readonly environment: Readonly<Record<string, string>>;
  readonly run_mode: string;
  readonly timeout_seconds: number;
  readonly issued_at: string;
  readonly not_after: string;
  readonly signing_key_id: string;
}

/** `borealis-job-v1\n ‖ JCS({…})` over exactly the signed fields. */
export function jobSignatureInput(fields: SignedJobFields): Buffer {
  return labelledDocumentInput(SIGNATURE_LABELS.job, {
    job_id: fields.job_id,
    device_guid: fields.device_guid,
    script_type: fields.script_type,
    script_sha256: fields.script_sha256,
    files: fields.files.map((f) => ({ file_name: f.file_name, sha256: f.sha256 })),
    environment: { ...fields.environment },
    run_mode: fields.run_mode,
    timeout_seconds: fields.timeout_seconds,
    issued_at: fields.issued_at,
    not_after: fields.not_after,
    signing_key_id: fields.signing_key_id,
  });
}

/** b64 Ed25519 signature of a job document by the engine signing key. */
export function signJob(privateKey: KeyObject | Buffer, fields: SignedJobFields): string {
  const key = Buffer.isBuffer(privateKey) ? createPrivateKey({ key: privateKey, format: 'der', type: 'pkcs8' }) : privateKey;
  return encodeB64(sign(null, jobSignatureInput(fields), key));
}

/** True when `signature` (b64) is the engine key's signature over the payload's signed fields. */
export function verifyJobSignature(publicKey: KeyObject, fields: SignedJobFields, signature: string): boolean {
  const bytes = decodeB64(signature);
  return bytes !== undefined && bytes.length === 64 && verifyEd25519(publicKey, jobSignatureInput(fields), bytes);
}
