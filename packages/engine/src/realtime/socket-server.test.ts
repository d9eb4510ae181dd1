// Socket.IO shares the engine's port over websocket. /agent refuses a handshake without device
// credentials; /operator follows the gate, authenticates the session cookie, refuses a foreign Origin,
// and drops the socket of a revoked session (api.md, security.md S23–S24).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { AGENT_NAMESPACE, OPERATOR_NAMESPACE } from '@borealis/protocol';
import { startTestEngine, type TestEngine } from '../../test/engine-harness';
import { setUpEngine, type SignedInAdmin } from '../../test/factories';

type ConnectError = Error & { data?: { code?: string } };

function open(url: string, options: { transports?: string[]; headers?: Record<string, string> } = {}): Promise<{ socket: Socket } | { error: ConnectError }> {
  return new Promise((resolve) => {
    const socket = connect(url, { transports: options.transports ?? ['websocket'], reconnection: false, timeout: 5_000, extraHeaders: options.headers });
    socket.on('connect', () => resolve({ socket }));
    socket.on('connect_error', (error) => {
      socket.close();
      resolve({ error: error as ConnectError });
    });
  });
}

async function refusal(url: string, options?: Parameters<typeof open>[1]): Promise<ConnectError> {
  const result = await open(url, options);
  if ('socket' in result) {
    result.socket.close();
    throw new Error('connected');
  }
  return result.error;
}

describe('realtime namespaces', () => {
  let t: TestEngine;
  let admin: SignedInAdmin;
  beforeAll(async () => {
    t = await startTestEngine({ dialect: 'pglite', listen: true });
  });
  afterAll(() => t.close());

  const cookie = () => `borealis_session=${admin.client.jar.get('borealis_session')}`;

  it('refuses /agent without credentials', async () => {
    const err = await refusal(`${t.url}${AGENT_NAMESPACE}`);
    expect(err.message).toBe('missing_authorization');
    expect(err.data?.code).toBe('missing_authorization');
  });

  it('refuses /operator while the gate is closed', async () => {
    expect((await refusal(`${t.url}${OPERATOR_NAMESPACE}`)).message).toBe('bootstrap_required');
  });

  it('refuses /operator without a session, then accepts the session cookie', async () => {
    admin = await setUpEngine(t);
    expect((await refusal(`${t.url}${OPERATOR_NAMESPACE}`)).message).toBe('unauthorized');
    const result = await open(`${t.url}${OPERATOR_NAMESPACE}`, { headers: { cookie: cookie() } });
    expect('socket' in result).toBe(true);
    if ('socket' in result) result.socket.close();
  });

  it('refuses an operator handshake from a foreign Origin (S23)', async () => {
    const err = await refusal(`${t.url}${OPERATOR_NAMESPACE}`, { headers: { cookie: cookie(), origin: 'https://evil.example' } });
    expect(err.message).toBe('csrf_failed');
  });

  it('closes the socket of a session when it is revoked (S24)', async () => {
    const result = await open(`${t.url}${OPERATOR_NAMESPACE}`, { headers: { cookie: cookie() } });
    if (!('socket' in result)) throw result.error;
    const closed = new Promise<string>((resolve) => result.socket.on('disconnect', (reason) => resolve(reason)));
    const started = Date.now();
    expect((await admin.client.post('/api/auth/logout')).statusCode).toBe(204);
    expect(await closed).toBe('io server disconnect');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('does not offer the default namespace or the polling transport', async () => {
    expect((await refusal(`${t.url}/`)).message).toBe('invalid_namespace');
    expect((await refusal(`${t.url}${AGENT_NAMESPACE}`, { transports: ['polling'] })).message).not.toBe('missing_authorization');
  });
});
