// The device's token lifecycle (agent-protocol.md §3): keeps the access token fresh (refresh at a
// random 70–85 % point), refreshes with rotation (§3.4, the new refresh token is fsync'd into
// agent.json before the access token is used), reauths with a DPoP nonce (§3.5), and applies the
// §3.3 reaction table to every device REST call.
import { z } from 'zod';
import type { AgentClock } from '../runtime/clock-offset';
import type { AgentLog } from '../runtime/agent-log';
import type { AgentRuntime } from '../runtime/runtime';
import type { AgentStore } from '../state/agent-store';
import { AgentApiError } from '../transport/agent-error';
import type { AgentHttp, AgentRequest, AgentResponse } from '../transport/agent-http';
import { withRetries } from './backoff';
import { DPOP_RETRY_CODES, LifecycleError, lifecycleErrorFor, REFRESH_FAILURE_CODES, TOKEN_RETRY_CODES } from './lifecycle-error';
import { accessExpiresAt, chooseRefreshAt, isRefreshDue } from './token-timing';

export const TokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().int().positive(),
  refresh_token: z.string().min(1),
  refresh_expires_in: z.number().int().positive(),
});
export type TokenAnswer = z.infer<typeof TokenAnswerSchema>;

export type DeviceRequest = Omit<AgentRequest, 'accessToken' | 'nonce'> & {
  /** 429/5xx/network tries (default 5); the heartbeat uses 1 (§4.3: no retry). */
  readonly maxTries?: number;
};

export interface DeviceSession {
  /** A usable access token, refreshed first when due. */
  accessToken(): Promise<string>;
  /** A device REST call with the §3.3 reactions (refresh/clock resync once, 429/5xx backoff). */
  call(request: DeviceRequest): Promise<AgentResponse>;
  refresh(): Promise<void>;
  reauth(): Promise<void>;
  /** Saves a token answer (enrolment, refresh, reauth): refresh token first, fsync'd. */
  saveTokens(answer: TokenAnswer): Promise<void>;
  /** Corrected ms at which the next refresh is planned. */
  refreshAt(): number;
}

export interface DeviceSessionDeps {
  readonly http: AgentHttp;
  readonly store: AgentStore;
  readonly clock: AgentClock;
  readonly runtime: AgentRuntime;
  readonly log: AgentLog;
  readonly signal?: AbortSignal;
}

export async function createDeviceSession(deps: DeviceSessionDeps): Promise<DeviceSession> {
  const { http, store, clock, runtime, log } = deps;
  const file = await store.load();
  const guid = file.agent?.guid;
  if (guid === undefined) throw new LifecycleError('reenrol', 'not_enrolled');
  let accessToken = file.tokens?.access_token;
  let expiresAt = file.tokens?.access_expires_at ? Date.parse(file.tokens.access_expires_at) : 0;
  // After a restart the issue time is unknown; plan as if the token was fresh 900 s before expiry.
  let refreshAt = chooseRefreshAt(expiresAt - 895_000, expiresAt, runtime.random());
  let inFlight: Promise<void> | undefined;

  async function saveTokens(answer: TokenAnswer): Promise<void> {
    const now = clock.now().getTime();
    const nextExpires = accessExpiresAt(now, answer.expires_in);
    await store.update((current) => {
      if (!current) throw new Error('agent.json disappeared');
      return {
        ...current,
        tokens: {
          access_token: answer.access_token,
          access_expires_at: new Date(nextExpires).toISOString(),
          refresh_token: answer.refresh_token,
          refresh_expires_at: new Date(now + answer.refresh_expires_in * 1000).toISOString(),
        },
      };
    });
    accessToken = answer.access_token;
    expiresAt = nextExpires;
    refreshAt = chooseRefreshAt(now, nextExpires, runtime.random());
  }

  async function refreshOnce(): Promise<void> {
    const current = await store.load();
    const refreshToken = current.tokens?.refresh_token;
    if (refreshToken === undefined) return reauthOnce();
    let answer: AgentResponse;
    try {
      answer = await withRetries(() => withDpopResync(() => http.send({ method: 'POST', path: '/api/agent/token/refresh', body: { guid, refresh_token: refreshToken } })), runtime, deps.signal);
    } catch (err) {
      if (!(err instanceof AgentApiError)) throw err;
      const fatal = lifecycleErrorFor(err.code);
      if (fatal) throw fatal;
      if (REFRESH_FAILURE_CODES.has(err.code)) {
        log.warn('refresh token refused; reauthenticating', { reason: err.code });
        return reauthOnce();
      }
      throw err;
    }
    await saveTokens(TokenAnswerSchema.parse(answer.body));
    log.info('access token refreshed', { expires_at: new Date(expiresAt).toISOString() });
  }

  async function reauthOnce(): Promise<void> {
    const send = (nonce?: string) => http.send({ method: 'POST', path: '/api/agent/token/reauth', body: { guid }, ...(nonce === undefined ? {} : { nonce }) });
    let answer: AgentResponse;
    try {
      answer = await withRetries(async () => {
        try {
          return await send();
        } catch (err) {
          if (err instanceof AgentApiError && err.code === 'use_dpop_nonce' && err.extra.dpopNonce) return await send(err.extra.dpopNonce);
          throw err;
        }
      }, runtime, deps.signal);
    } catch (err) {
      if (!(err instanceof AgentApiError)) throw err;
      const fatal = lifecycleErrorFor(err.code);
      if (fatal) throw fatal;
      // The engine says this key is not the device's key: only a new enrolment can help.
      if (err.code === 'reauth_denied') throw new LifecycleError('reenrol', err.code);
      throw err;
    }
    await saveTokens(TokenAnswerSchema.parse(answer.body));
    log.info('reauthenticated', { expires_at: new Date(expiresAt).toISOString() });
  }

  /** §3.3: dpop_invalid / dpop_replayed → resync the clock from Date, new proof, retry once. */
  async function withDpopResync<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (err) {
      if (!(err instanceof AgentApiError) || !DPOP_RETRY_CODES.has(err.code)) throw err;
      if (err.extra.serverTimeMs !== undefined) clock.resync(err.extra.serverTimeMs);
      return operation();
    }
  }

  const single = (run: () => Promise<void>) => {
    inFlight ??= run().finally(() => (inFlight = undefined));
    return inFlight;
  };
  const refresh = () => single(refreshOnce);
  const reauth = () => single(reauthOnce);

  async function currentToken(): Promise<string> {
    if (accessToken === undefined || isRefreshDue(clock.now().getTime(), refreshAt, expiresAt)) await refresh();
    if (accessToken === undefined) throw new Error('no access token after refresh');
    return accessToken;
  }

  async function call({ maxTries, ...request }: DeviceRequest): Promise<AgentResponse> {
    let refreshed = false;
    const attempt = async (): Promise<AgentResponse> => {
      const token = await currentToken();
      try {
        return await withDpopResync(() => http.send({ ...request, accessToken: token }));
      } catch (err) {
        if (!(err instanceof AgentApiError)) throw err;
        const fatal = lifecycleErrorFor(err.code);
        if (fatal) throw fatal;
        if (TOKEN_RETRY_CODES.has(err.code) && !refreshed) {
          refreshed = true;
          await refresh();
          return attempt();
        }
        throw err;
      }
    };
    return withRetries(attempt, runtime, deps.signal, maxTries);
  }

  return { accessToken: currentToken, call, refresh, reauth, saveTokens, refreshAt: () => refreshAt };
}
