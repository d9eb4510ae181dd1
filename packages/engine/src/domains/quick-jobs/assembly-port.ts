// What quick jobs need from the assembly store (automation.md §1.3, §1.5, §1.6): one resolved
// revision with a per-target environment builder, and the job-signing key. register.ts adapts the
// engine's assembly service to this port, so the dispatcher has exactly one injected lookup.

import type { KeyObject } from 'node:crypto';

export interface JobBuiltins {
  readonly JOB_ID: string;
  readonly DEVICE_GUID: string;
  readonly HOSTNAME: string;
  readonly SITE_ID: string | number | null;
  readonly ASSEMBLY_GUID: string;
  readonly ASSEMBLY_REVISION: string | number;
}

export interface JobAssembly {
  readonly assembly_guid: string;
  readonly revision: number;
  /** Lower-case hex SHA-256 of JCS(payload). */
  readonly content_hash: string;
  readonly display_name: string;
  readonly assembly_type: string;
  readonly assembly_subtype: string;
  readonly platforms: readonly string[];
  readonly timeout_seconds: number;
  readonly warning_exit_codes: readonly number[];
  /** The stored script bytes. */
  readonly script: Buffer;
  /** §1.6 for one target; throws the 422 variable errors. */
  environmentFor(overrides: Readonly<Record<string, unknown>>, builtins: JobBuiltins): Record<string, string>;
}

export interface JobSigningKey {
  readonly key_id: string;
  readonly privateKey: KeyObject;
}

export interface QuickJobAssemblies {
  /** 404 not_found when the assembly or revision does not exist. */
  resolve(guid: string, revision?: number): Promise<JobAssembly>;
  /** 423 engine_locked while Aegis is locked. */
  signingKey(): Promise<JobSigningKey>;
  /** False while Aegis is locked (signingKey() would answer 423); absent means "try signingKey()". */
  canSign?(): boolean;
}
