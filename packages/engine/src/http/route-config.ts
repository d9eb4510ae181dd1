// What every route declares besides its schemas: its auth class (spec/api.md), the permission
// it needs and its API group. The app refuses to register a route without an auth class.

export const AUTH_CLASSES = ['none', 'operator', 'operator-admin', 'device', 'device-or-operator', 'device-refresh', 'internal'] as const;
export type AuthClass = (typeof AUTH_CLASSES)[number];

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthClass;
    /** Permission name from security.md §7.2; operator routes only. */
    permission?: string;
    /** API group (column 4 of routes.tsv); becomes the OpenAPI tag. */
    group?: string;
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
