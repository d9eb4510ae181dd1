// Assembly documents and the assemblies API (automation.md §1.2–§1.4): the stored payload whose
// JCS SHA-256 is `content_hash`, the envelope the API answers, and the request bodies.

import { z } from 'zod';

/** automation.md §1.2 limits. */
export const ASSEMBLY_LIMITS = Object.freeze({
  scriptBytes: 1024 * 1024,
  documentBytes: 16 * 1024 * 1024,
  variables: 64,
  warningExitCodes: 16,
  revisionsKept: 50,
});

export const ASSEMBLY_DOMAINS = ['official', 'user', 'site'] as const;
export type AssemblyDomain = (typeof ASSEMBLY_DOMAINS)[number];
export const ASSEMBLY_PLATFORMS = ['linux', 'windows', 'macos'] as const;
export type AssemblyPlatform = (typeof ASSEMBLY_PLATFORMS)[number];
/** `assembly_subtype` of `script` assemblies (§1.1); `bash` is the M1 one agents run. */
export const SCRIPT_TYPES = ['bash', 'python', 'powershell', 'batch'] as const;
export const ASSEMBLY_KINDS = ['bash', 'python', 'powershell', 'batch', 'ansible', 'workflow'] as const;
export type AssemblyKind = (typeof ASSEMBLY_KINDS)[number];
export const VARIABLE_TYPES = ['string', 'number', 'boolean', 'credential'] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];

/** A default is stored as string, boolean or integer: JCS (and so the content hash) takes no floats or nulls. */
export const VariableDefaultSchema = z.union([z.string().max(32 * 1024), z.boolean(), z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER)]);

export const AssemblyVariableSchema = z.object({
  name: z.string().min(1).max(64),
  label: z.string().max(200).optional(),
  type: z.enum(VARIABLE_TYPES),
  default: VariableDefaultSchema.optional(),
  required: z.boolean().default(false),
  description: z.string().max(2000).optional(),
  default_from: z.string().regex(/^metadata:.+$/).max(200).optional(),
});
export type AssemblyVariable = z.infer<typeof AssemblyVariableSchema>;

export const AssemblyFileSchema = z.object({ file_name: z.string().min(1).max(255), data: z.string(), encoding: z.literal('base64') });

/** The stored payload (§1.2). `script` is plain UTF-8 text when it decodes as such, else base64. */
export const AssemblyPayloadSchema = z.object({
  version: z.literal(1),
  name: z.string().min(1).max(200),
  description: z.string().max(10_000).default(''),
  category: z.enum(['script', 'application']).default('script'),
  type: z.enum(ASSEMBLY_KINDS),
  script: z.string(),
  script_encoding: z.enum(['base64', 'plain']),
  platforms: z.array(z.enum(ASSEMBLY_PLATFORMS)).min(1).max(3),
  timeout_seconds: z.number().int().min(1).max(86_400).default(3600),
  warning_exit_codes: z.array(z.number().int().min(1).max(255)).max(ASSEMBLY_LIMITS.warningExitCodes).default([]),
  variables: z.array(AssemblyVariableSchema).max(ASSEMBLY_LIMITS.variables).default([]),
  files: z.array(AssemblyFileSchema).max(32).default([]),
});
export type AssemblyPayload = z.infer<typeof AssemblyPayloadSchema>;
export type AssemblyPayloadInput = z.input<typeof AssemblyPayloadSchema>;

/** `assembly_guid`: lower-case UUID, or 40 hex digits from an upstream import. */
export const AssemblyGuidSchema = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.string().regex(/^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{40})$/, 'must be a UUID or 40 hex digits'));

/** The envelope every read answers (§1.2). */
export const AssemblySchema = z
  .object({
    assembly_guid: z.string(),
    assembly_type: z.string(),
    assembly_subtype: z.string(),
    display_name: z.string(),
    summary: z.string().nullable(),
    domain: z.enum(ASSEMBLY_DOMAINS),
    site_id: z.number().int().nullable(),
    revision: z.number().int(),
    content_hash: z.string(),
    platforms: z.array(z.string()),
    read_only: z.boolean(),
    source_path: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    payload: AssemblyPayloadSchema,
  })
  .meta({ id: 'Assembly' });
export type Assembly = z.infer<typeof AssemblySchema>;

export const AssemblySummarySchema = AssemblySchema.omit({ payload: true })
  .extend({ script_bytes: z.number().int(), variable_count: z.number().int(), timeout_seconds: z.number().int() })
  .meta({ id: 'AssemblySummary' });
export type AssemblySummary = z.infer<typeof AssemblySummarySchema>;

export const AssemblyListQuerySchema = z.object({
  q: z.string().max(200).optional(),
  domain: z.enum(ASSEMBLY_DOMAINS).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(512).optional(),
});
export const AssemblyListSchema = z.object({ items: z.array(AssemblySummarySchema), next_cursor: z.string().nullable() });
export type AssemblyList = z.infer<typeof AssemblyListSchema>;

/** POST /api/assemblies and PUT /api/assemblies/:guid: the payload plus the envelope's editable fields. */
export const AssemblyWriteSchema = z.object({
  display_name: z.string().trim().min(1).max(200).optional(),
  summary: z.string().max(2000).nullable().optional(),
  domain: z.enum(['user']).default('user'),
  change_note: z.string().max(500).optional(),
  payload: z.unknown(),
});
export type AssemblyWrite = z.input<typeof AssemblyWriteSchema>;

export const AssemblyCloneSchema = z.object({ display_name: z.string().trim().min(1).max(200).optional() });

export const AssemblyRevisionSummarySchema = z
  .object({
    revision: z.number().int(),
    content_hash: z.string(),
    script_bytes: z.number().int(),
    change_note: z.string().nullable(),
    pinned: z.boolean(),
    created_by_user_id: z.string().nullable(),
    created_by_name: z.string().nullable(),
    created_at: z.string(),
    current: z.boolean(),
  })
  .meta({ id: 'AssemblyRevisionSummary' });
export type AssemblyRevisionSummary = z.infer<typeof AssemblyRevisionSummarySchema>;
export const AssemblyRevisionListSchema = z.object({ items: z.array(AssemblyRevisionSummarySchema) });
export const AssemblyRevisionSchema = AssemblyRevisionSummarySchema.extend({ assembly_guid: z.string(), payload: AssemblyPayloadSchema });
export type AssemblyRevision = z.infer<typeof AssemblyRevisionSchema>;

export const AssemblyImportQuerySchema = z.object({
  domain: z.enum(['user']).default('user'),
  on_conflict: z.enum(['reject', 'new_revision', 'new_guid']).default('reject'),
});

/** GET …/export: our envelope with a base64 script (§1.4). */
export const AssemblyExportSchema = z
  .object({
    format: z.literal('borealis-assembly-v1'),
    assembly_guid: z.string(),
    assembly_type: z.string(),
    assembly_subtype: z.string(),
    display_name: z.string(),
    summary: z.string().nullable(),
    domain: z.enum(ASSEMBLY_DOMAINS),
    revision: z.number().int(),
    content_hash: z.string(),
    exported_at: z.string(),
    payload: AssemblyPayloadSchema,
  })
  .meta({ id: 'AssemblyExport' });
export type AssemblyExport = z.infer<typeof AssemblyExportSchema>;

export const AssemblyImportResultSchema = z.object({ outcome: z.enum(['created', 'new_revision', 'unchanged', 'new_guid']), assembly: AssemblySchema });
export type AssemblyImportResult = z.infer<typeof AssemblyImportResultSchema>;
