// Wires the `server` and `logs` groups from the engine context (kept here so groups.ts gains one line).

import { join } from 'node:path';
import type { EngineContext } from '../../engine-context';
import type { SecurityServices } from '../../services';
import { createLogFiles } from '../logs/log-files';
import { createLogService } from '../logs/log-service';
import { registerLogRoutes } from '../logs/routes';
import { registerServerRoutes } from './routes';
import { certificateReader, createServerService } from './server-service';

const servicesRoot = (ctx: EngineContext) => join(ctx.paths.home, 'Services');

export function registerServerAdminGroups(security: (ctx: EngineContext) => SecurityServices) {
  return [
    {
      name: 'server',
      register: (app: Parameters<typeof registerServerRoutes>[0], ctx: EngineContext) => {
        const s = security(ctx);
        const server = createServerService({
          db: ctx.db,
          clock: ctx.clock,
          servicesRoot: servicesRoot(ctx),
          engine: { version: ctx.version, role: ctx.config.role, startedAt: ctx.startedAt, database: ctx.database.dialect },
          certificatePem: ctx.agentTrust ? certificateReader({ tlsCert: ctx.config.tlsCert ?? null, certificatesDir: ctx.paths.certificates }) : () => null,
          localCa: Boolean(ctx.agentTrust?.caPem),
          aegisStatus: () => s.aegis.status(),
          onlineDevices: () => null,
        });
        registerServerRoutes(app, { server });
      },
    },
    {
      name: 'logs',
      register: (app: Parameters<typeof registerLogRoutes>[0], ctx: EngineContext) => {
        const files = createLogFiles({ servicesRoot: servicesRoot(ctx), clock: ctx.clock });
        registerLogRoutes(app, { logs: createLogService({ db: ctx.db, clock: ctx.clock, audit: security(ctx).audit, files, logRoot: servicesRoot(ctx) }) });
      },
    },
  ];
}
