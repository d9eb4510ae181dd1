// Assemblies routes (routes.tsv group `assemblies`, automation.md §1.4). Reads need `read`; every
// write needs `assembly_edit` (security.md §7.2). Bodies may carry a 16 MiB document.

import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AssemblyCloneSchema,
  AssemblyExportSchema,
  AssemblyImportQuerySchema,
  AssemblyImportResultSchema,
  AssemblyListQuerySchema,
  AssemblyListSchema,
  AssemblyRevisionListSchema,
  AssemblyRevisionSchema,
  AssemblySchema,
  AssemblyWriteSchema,
  IfMatchHeadersSchema,
  ASSEMBLY_LIMITS,
} from '@borealis/protocol';
import { actorOf } from '../../http/access-control';
import type { AssemblyLibrary } from './assembly-library';

const read = { auth: 'operator', permission: 'read', group: 'assemblies' } as const;
const edit = { auth: 'operator', permission: 'assembly_edit', group: 'assemblies' } as const;
/** The 16 MiB document cap plus JSON framing; the service enforces the exact caps with 413. */
const BODY_LIMIT = ASSEMBLY_LIMITS.documentBytes + 1024 * 1024;

const GuidParams = z.object({ assembly_guid: z.string().min(1).max(64) });
const RevisionParams = GuidParams.extend({ n: z.coerce.number().int().min(1).max(2_147_483_647) });
const ExportQuery = z.object({ revision: z.coerce.number().int().min(1).max(2_147_483_647).optional() });

/** `3`, `"3"` or `W/"3"` → 3 (the header was validated by IfMatchHeadersSchema). */
function ifMatchOf(header: string | undefined): number | undefined {
  return header === undefined ? undefined : Number(header.replace(/^W\//, '').replaceAll('"', ''));
}

export function registerAssemblyRoutes(app: FastifyInstance, deps: { readonly library: AssemblyLibrary }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { library } = deps;

  r.get('/api/assemblies', { config: read, schema: { summary: 'Assemblies (official and user), searchable, cursor-paginated', querystring: AssemblyListQuerySchema, response: { 200: AssemblyListSchema } } }, (request) =>
    library.list(request.query),
  );

  r.post(
    '/api/assemblies',
    { config: edit, bodyLimit: BODY_LIMIT, schema: { summary: 'Create a user assembly (revision 1)', body: AssemblyWriteSchema, response: { 201: AssemblySchema } } },
    async (request, reply) => reply.code(201).send(await library.create(request.body, actorOf(request))),
  );

  r.post(
    '/api/assemblies/import',
    { config: edit, bodyLimit: BODY_LIMIT, schema: { summary: 'Import our envelope, an upstream export/bundled envelope or an authoring document', querystring: AssemblyImportQuerySchema, body: z.unknown(), response: { 200: AssemblyImportResultSchema, 201: AssemblyImportResultSchema } } },
    async (request, reply) => {
      const result = await library.importDocument(request.body, request.query, actorOf(request));
      return reply.code(result.outcome === 'created' || result.outcome === 'new_guid' ? 201 : 200).send(result);
    },
  );

  r.get('/api/assemblies/:assembly_guid', { config: read, schema: { summary: 'One assembly with its current payload', params: GuidParams, response: { 200: AssemblySchema } } }, (request) =>
    library.get(request.params.assembly_guid),
  );

  r.put(
    '/api/assemblies/:assembly_guid',
    {
      config: edit,
      bodyLimit: BODY_LIMIT,
      schema: { summary: 'Save (If-Match: revision); changed content makes a new revision', params: GuidParams, headers: IfMatchHeadersSchema, body: AssemblyWriteSchema, response: { 200: AssemblySchema } },
    },
    (request) => library.update(request.params.assembly_guid, request.body, ifMatchOf(request.headers['if-match']), actorOf(request)),
  );

  r.delete(
    '/api/assemblies/:assembly_guid',
    { config: edit, schema: { summary: 'Delete a user assembly (409 assembly_in_use when a scheduled job names it)', params: GuidParams, response: { 204: z.undefined() } } },
    async (request, reply) => {
      await library.remove(request.params.assembly_guid, actorOf(request));
      return reply.code(204).send();
    },
  );

  r.post(
    '/api/assemblies/:assembly_guid/clone',
    { config: edit, schema: { summary: 'Copy into the user domain under a new GUID', params: GuidParams, body: AssemblyCloneSchema.optional(), response: { 201: AssemblySchema } } },
    async (request, reply) => reply.code(201).send(await library.clone(request.params.assembly_guid, request.body ?? {}, actorOf(request))),
  );

  r.get('/api/assemblies/:assembly_guid/revisions', { config: read, schema: { summary: 'Revision history, newest first', params: GuidParams, response: { 200: AssemblyRevisionListSchema } } }, (request) =>
    library.revisions(request.params.assembly_guid),
  );

  r.get('/api/assemblies/:assembly_guid/revisions/:n', { config: read, schema: { summary: 'One stored revision', params: RevisionParams, response: { 200: AssemblyRevisionSchema } } }, (request) =>
    library.revision(request.params.assembly_guid, request.params.n),
  );

  r.post(
    '/api/assemblies/:assembly_guid/revisions/:n/restore',
    { config: edit, schema: { summary: 'Make an old revision current as a new revision', params: RevisionParams, headers: IfMatchHeadersSchema, response: { 200: AssemblySchema } } },
    (request) => library.restore(request.params.assembly_guid, request.params.n, ifMatchOf(request.headers['if-match']), actorOf(request)),
  );

  r.get('/api/assemblies/:assembly_guid/export', { config: read, schema: { summary: 'Export (base64 script, no credential values)', params: GuidParams, querystring: ExportQuery, response: { 200: AssemblyExportSchema } } }, (request) =>
    library.exportDocument(request.params.assembly_guid, request.query.revision),
  );
}
