// Socket.IO shares the engine's port over websocket, with the /agent and /operator namespaces
// in place; until their auth lands both refuse connections as unauthorized.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { AGENT_NAMESPACE, OPERATOR_NAMESPACE } from '@borealis/protocol';
import { startTestEngine, type TestEngine } from '../../test/engine-harness';

function connectError(url: string, transports: string[] = ['websocket']): Promise<Error & { data?: { code?: string } }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(url, { transports, reconnection: false, timeout: 5_000 });
    socket.on('connect', () => {
      socket.close();
      reject(new Error('connected without credentials'));
    });
    socket.on('connect_error', (err) => {
      socket.close();
      resolve(err as Error & { data?: { code?: string } });
    });
  });
}

describe('realtime namespaces', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite', listen: true });
  });
  afterAll(() => t.close());

  it.each([AGENT_NAMESPACE, OPERATOR_NAMESPACE])('has the %s namespace and refuses it without credentials', async (ns) => {
    const err = await connectError(`${t.url}${ns}`);
    expect(err.message).toBe('unauthorized');
    expect(err.data?.code).toBe('unauthorized');
  });

  it('does not offer the default namespace', async () => {
    const err = await connectError(`${t.url}/`);
    expect(err.message).toBe('invalid_namespace');
  });

  it('accepts only the websocket transport', async () => {
    const err = await connectError(`${t.url}${OPERATOR_NAMESPACE}`, ['polling']);
    expect(err.message).not.toBe('unauthorized');
  });
});
