// A sorted JSON dump of schema `engine` from pg_catalog (tables, columns, constraints, indexes,
// triggers), used to prove PGlite and PostgreSQL build the same schema (data-model.md DM1).

import { sql, type Kysely } from 'kysely';

export interface CatalogDump {
  tables: Array<{ name: string; kind: string; persistence: string }>;
  columns: Array<{ table: string; column: string; type: string; not_null: boolean; default: string | null }>;
  constraints: Array<{ table: string; name: string; definition: string }>;
  indexes: Array<{ table: string; name: string; definition: string }>;
  triggers: Array<{ table: string; name: string; definition: string }>;
  extensions: string[];
}

export async function dumpCatalog<DB>(db: Kysely<DB>): Promise<CatalogDump> {
  const rows = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(db)).rows;
  const tables = await rows<CatalogDump['tables'][number]>(sql`
    SELECT c.relname AS name, c.relkind::text AS kind, c.relpersistence::text AS persistence
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'engine' AND c.relkind IN ('r', 'p', 'v', 'm')
    ORDER BY 1`);
  const columns = await rows<CatalogDump['columns'][number]>(sql`
    SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
           a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE n.nspname = 'engine' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY 1, 2`);
  const constraints = await rows<CatalogDump['constraints'][number]>(sql`
    SELECT c.relname AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS definition
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    -- NOT NULL is compared through columns; PGlite's newer Postgres also lists it as a constraint.
    WHERE n.nspname = 'engine' AND k.contype <> 'n' ORDER BY 1, 2`);
  const indexes = await rows<CatalogDump['indexes'][number]>(sql`
    SELECT tablename AS table, indexname AS name, indexdef AS definition
    FROM pg_indexes WHERE schemaname = 'engine' ORDER BY 1, 2`);
  const triggers = await rows<CatalogDump['triggers'][number]>(sql`
    SELECT c.relname AS table, t.tgname AS name, pg_get_triggerdef(t.oid) AS definition
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'engine' AND NOT t.tgisinternal ORDER BY 1, 2`);
  const extensions = (await rows<{ name: string }>(sql`SELECT extname AS name FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1`)).map((r) => r.name);
  return { tables, columns, constraints, indexes, triggers, extensions };
}
