// Server administration reads (routes.tsv group `server`, M1): the overview dashboard (nodes,
// certificate, Aegis, operators online, device counts), site workers, work items with leases.

import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname, platform, uptime } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { ServerCertificate, ServerOverview, ServerWorkers, WorkItemList, WorkItemListQuery } from '@borealis/protocol';
import type { Clock } from '../../clock';
import type { Database } from '../../db/schema';

/** An operator counts as online when a live session was used this recently. */
export const OPERATOR_ONLINE_WINDOW_SECONDS = 300;
/** An engine node counts as alive when it reported within this window. */
const NODE_ALIVE_MS = 120_000;

export interface ServerServiceDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly servicesRoot: string;
  readonly engine: { version: string; role: string; startedAt: Date; database: string };
  /** PEM of the certificate the engine serves, or null on plain HTTP. */
  readonly certificatePem: () => string | null;
  readonly localCa: boolean;
  readonly aegisStatus: () => Promise<ServerOverview['aegis']>;
  /** Devices with a live /agent socket on this node. */
  readonly onlineDevices: () => number | null;
}

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

export function createServerService(deps: ServerServiceDeps) {
  const { db, clock } = deps;

  function certificate(): ServerCertificate | null {
    const pem = deps.certificatePem();
    if (!pem) return null;
    const c = new X509Certificate(pem);
    const validTo = new Date(c.validTo);
    return {
      subject: c.subject.replace(/\n/g, ', '),
      issuer: c.issuer.replace(/\n/g, ', '),
      valid_from: new Date(c.validFrom).toISOString(),
      valid_to: validTo.toISOString(),
      days_left: Math.floor((validTo.getTime() - clock.now().getTime()) / 86_400_000),
      fingerprint_sha256: c.fingerprint256,
      local_ca: deps.localCa,
      san: c.subjectAltName ?? null,
    };
  }

  function services(): ServerOverview['services'] {
    if (!existsSync(deps.servicesRoot)) return [];
    return readdirSync(deps.servicesRoot, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => {
        const logs = join(deps.servicesRoot, d.name, 'logs');
        return { service: d.name, logs: existsSync(logs) ? readdirSync(logs).length : 0 };
      })
      .sort((a, b) => a.service.localeCompare(b.service));
  }

  return {
    async overview(): Promise<ServerOverview> {
      const now = clock.now();
      const nodes = await db.selectFrom('engine_nodes').selectAll().orderBy('role').orderBy('node_id').execute();
      const since = new Date(now.getTime() - OPERATOR_ONLINE_WINDOW_SECONDS * 1000);
      const sessions = await db
        .selectFrom('operator_sessions as s')
        .innerJoin('users as u', 'u.id', 's.user_id')
        .select(['s.user_id', 'u.username', sql<Date>`max(s.last_seen_at)`.as('last_seen_at')])
        .where('s.revoked_at', 'is', null)
        .where('s.last_seen_at', '>=', since)
        .where('s.idle_expires_at', '>', now)
        .groupBy(['s.user_id', 'u.username'])
        .orderBy('u.username')
        .execute();
      const total = await db.selectFrom('devices').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
      const heartbeat = await db
        .selectFrom('device_heartbeat_state')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('presence_node_id', 'is not', null)
        .executeTakeFirstOrThrow();
      return {
        host: { hostname: hostname(), platform: platform(), uptime_seconds: Math.floor(uptime()), node_version: process.version },
        engine: { version: deps.engine.version, role: deps.engine.role, started_at: deps.engine.startedAt.toISOString(), database: deps.engine.database },
        services: services(),
        nodes: nodes.map((n) => ({
          node_id: n.node_id,
          role: n.role,
          host: n.host,
          pid: n.pid,
          version: n.version,
          started_at: iso(n.started_at)!,
          last_seen_at: iso(n.last_seen_at)!,
          alive: now.getTime() - new Date(n.last_seen_at).getTime() < NODE_ALIVE_MS,
        })),
        certificate: certificate(),
        aegis: await deps.aegisStatus(),
        operators_online: {
          count: sessions.length,
          window_seconds: OPERATOR_ONLINE_WINDOW_SECONDS,
          users: sessions.map((s) => ({ user_id: s.user_id, username: s.username, last_seen_at: iso(s.last_seen_at)! })),
        },
        devices: { online: deps.onlineDevices() ?? Number(heartbeat.n), total: Number(total.n) },
      };
    },

    async workers(): Promise<ServerWorkers> {
      const workers = await db.selectFrom('job_scheduler_workers').selectAll().orderBy('kind').orderBy('name').execute();
      const sites = await db
        .selectFrom('sites as s')
        .select((eb) => [
          's.id',
          's.name',
          eb.selectFrom('devices as d').whereRef('d.site_id', '=', 's.id').select(sql<number>`count(*)::int`.as('n')).as('devices'),
          eb.selectFrom('job_scheduler_work_items as w').whereRef('w.site_id', '=', 's.id').where('w.status', '=', 'queued').select(sql<number>`count(*)::int`.as('n')).as('queued'),
          eb.selectFrom('job_scheduler_work_items as w').whereRef('w.site_id', '=', 's.id').where('w.status', '=', 'running').select(sql<number>`count(*)::int`.as('n')).as('running'),
        ])
        .orderBy('s.name')
        .execute();
      return {
        workers: workers.map((w) => ({
          worker_guid: w.worker_guid,
          name: w.name,
          kind: w.kind,
          site_id: w.site_id,
          lanes: w.lanes,
          status: w.status,
          launcher: w.launcher,
          host: w.host,
          pid: w.pid,
          concurrency: w.concurrency,
          started_at: iso(w.started_at)!,
          last_heartbeat_at: iso(w.last_heartbeat_at)!,
          stopped_at: iso(w.stopped_at),
        })),
        sites: sites.map((s) => ({ site_id: s.id, name: s.name, devices: Number(s.devices ?? 0), queued: Number(s.queued ?? 0), running: Number(s.running ?? 0) })),
      };
    },

    /** Newest first, keyset-paged on the bigint id (a cursor is the last id seen). */
    async workItems(q: WorkItemListQuery): Promise<WorkItemList> {
      let query = db.selectFrom('job_scheduler_work_items').selectAll();
      if (q.status) query = query.where('status', '=', q.status);
      if (q.site_id !== undefined) query = query.where('site_id', '=', q.site_id);
      if (q.cursor) query = query.where(sql<boolean>`id < ${q.cursor}::bigint`);
      const rows = await query.orderBy('id', 'desc').limit(q.limit + 1).execute();
      const page = rows.slice(0, q.limit);
      return {
        items: page.map((w) => ({
          id: String(w.id),
          kind: w.kind,
          lane: w.lane,
          site_id: w.site_id,
          job_id: w.job_id,
          run_id: w.run_id === null ? null : String(w.run_id),
          status: w.status,
          priority: w.priority,
          attempt_count: w.attempt_count,
          max_attempts: w.max_attempts,
          available_at: iso(w.available_at)!,
          lease_owner: w.lease_owner,
          lease_expires_at: iso(w.lease_expires_at),
          heartbeat_at: iso(w.heartbeat_at),
          error: w.error,
          created_at: iso(w.created_at)!,
          updated_at: iso(w.updated_at)!,
          finished_at: iso(w.finished_at),
        })),
        next_cursor: rows.length > q.limit ? String(page.at(-1)!.id) : null,
      };
    },
  };
}

export type ServerService = ReturnType<typeof createServerService>;

/** The served certificate: the operator's file, or the engine's own server.pem. */
export function certificateReader(paths: { tlsCert: string | null; certificatesDir: string }): () => string | null {
  return () => {
    const file = paths.tlsCert ?? join(paths.certificatesDir, 'server.pem');
    return existsSync(file) ? readFileSync(file, 'utf8') : null;
  };
}
