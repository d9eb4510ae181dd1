// Small runtime state in /var/lib/borealis-agent/state.json (not agent.json, whose keys are fixed
// by §4.1): the pending approval while enrolment polls, the last heartbeat and ack for `status`,
// and the inventory hashes the engine last stored. Losing it only costs a full upload.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { AgentPaths } from '../paths/agent-paths';
import { ensurePrivateDir } from './agent-store';
import { writeFileAtomic } from './atomic-write';

export const AgentStateSchema = z.object({
  pending_approval: z
    .object({ approval_reference: z.string(), server_nonce: z.string(), client_nonce: z.string(), requested_at: z.string() })
    .optional(),
  denied_at: z.string().optional(),
  last_heartbeat_at: z.string().optional(),
  last_ack_at: z.string().optional(),
  heartbeat_path: z.enum(['socket', 'rest']).optional(),
  socket_connected: z.boolean().optional(),
  site_name: z.string().optional(),
  inventory: z.object({ last_full_at: z.string().optional(), hashes: z.record(z.string(), z.string()).default({}) }).optional(),
});
export type AgentState = z.infer<typeof AgentStateSchema>;

export interface AgentStateFile {
  readonly file: string;
  read(): Promise<AgentState>;
  update(change: (current: AgentState) => AgentState): Promise<AgentState>;
}

export function createAgentStateFile(paths: AgentPaths): AgentStateFile {
  const file = join(paths.stateDir, 'state.json');
  let queue: Promise<unknown> = Promise.resolve();
  async function read(): Promise<AgentState> {
    try {
      const parsed = AgentStateSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
      return parsed.success ? parsed.data : {};
    } catch {
      return {}; // missing or torn: the state is rebuilt from the engine's answers
    }
  }
  return {
    file,
    read,
    update(change) {
      // Serialised so concurrent loops (heartbeat, inventory) never lose each other's writes.
      const next = queue.then(async () => {
        const value = change(await read());
        await ensurePrivateDir(paths.stateDir);
        await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
        return value;
      });
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
