// What every route declares besides its schemas: its auth class (spec/api.md), the permission it
// needs (security.md §7.2), its scope and API group. The app refuses to start if a route lacks
// an auth class or a permission; http/access-control.ts enforces them centrally.

import type { Permission } from '../domains/auth/permissions';

/** security.md §10: sign-in and bootstrap bodies are small; anything larger is refused with 413. */
export const SIGN_IN_BODY_LIMIT = 16 * 1024;

export const AUTH_CLASSES = ['none', 'operator', 'operator-admin', 'device', 'device-or-operator', 'device-refresh', 'internal'] as const;
export type AuthClass = (typeof AUTH_CLASSES)[number];

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthClass;
    permission?: Permission;
    /** API group (column 4 of routes.tsv); becomes the OpenAPI tag. */
    group?: string;
    /** Sign-in routes of class `none` are closed until the gate opens (security.md §2.4). */
    gated?: boolean;
    /** Routes that also accept a sign-in ticket in `pending_token` instead of a session (§7.3). */
    ticket?: 'mfa' | 'mfa_setup';
    /** Needs a second-factor check within the last 15 min even though the permission is not † (§5.4). */
    stepUp?: boolean;
    /** Reachable while the user must change their password (security.md §4.2). */
    allowDuringPasswordChange?: boolean;
    /** Per-address request budget for unauthenticated routes (api.md rate limits). */
    rateLimit?: 'bootstrap' | 'sign_in' | 'agent_install';
  }
}

export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
  readonly auth: AuthClass;
  readonly permission: string | undefined;
  readonly group: string | undefined;
  readonly hidden: boolean;
}
