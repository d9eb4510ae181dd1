// Query keys and hooks for the gate phase and the signed-in operator, and the one reaction to the
// errors that mean "the gate closed", "signed out" or "change your password first".
import type { BootstrapState, GatePhase, Me } from '@borealis/protocol';
import { type QueryClient, useQuery } from '@tanstack/react-query';
import { ApiError, isApiError } from '../../shared/api-client';
import { getBootstrapState, getMe } from './auth-api';

export const BOOTSTRAP_STATE_KEY = ['bootstrap', 'state'] as const;
export const ME_KEY = ['auth', 'me'] as const;
export const SESSIONS_KEY = ['auth', 'sessions'] as const;
export const PASSKEYS_KEY = ['auth', 'passkeys'] as const;

/** How often the phase is re-read, so a restart (locked engine) shows up without a click. */
const STATE_REFETCH_MS = 30_000;

export function isGateOpen(phase: GatePhase): phase is 'login_required' | 'ready' {
  return phase === 'login_required' || phase === 'ready';
}

export function useBootstrapState() {
  return useQuery<BootstrapState>({
    queryKey: BOOTSTRAP_STATE_KEY,
    queryFn: ({ signal }) => getBootstrapState({ signal, background: true }),
    refetchInterval: STATE_REFETCH_MS,
    retry: 1,
  });
}

/** The signed-in operator, or null when the engine says nobody is (401). */
export function useMe(isEnabled: boolean) {
  return useQuery<Me | null>({
    queryKey: ME_KEY,
    queryFn: async ({ signal }) => {
      try {
        return await getMe({ signal });
      } catch (error) {
        if (isApiError(error, 'unauthorized')) return null;
        throw error;
      }
    },
    enabled: isEnabled,
    staleTime: 30_000,
    // An engine answer is final; only a network failure is worth one more try.
    retry: (failures, error) => !(error instanceof ApiError && error.kind === 'http') && failures < 1,
  });
}

/**
 * Marks the operator as signed out and drops everything cached for them, keeping the gate phase.
 * The /me query is set to null rather than removed: SessionGate observes it and must hear the change.
 */
export function forgetOperator(client: QueryClient): void {
  void client.cancelQueries({ queryKey: ME_KEY });
  client.setQueryData(ME_KEY, null);
  client.removeQueries({ predicate: (query) => !isKey(query.queryKey, BOOTSTRAP_STATE_KEY) && !isKey(query.queryKey, ME_KEY) });
}

function isKey(key: readonly unknown[], expected: readonly unknown[]): boolean {
  return key.length === expected.length && key.every((part, i) => part === expected[i]);
}

/** Wired into the query client: any query or mutation that hits one of these codes moves the UI. */
export function reactToAuthError(client: QueryClient, error: Error): void {
  if (!(error instanceof ApiError)) return;
  switch (error.code) {
    case 'bootstrap_required':
      void client.invalidateQueries({ queryKey: BOOTSTRAP_STATE_KEY });
      break;
    case 'unauthorized':
      forgetOperator(client);
      break;
    case 'auth_reset_required':
      void client.invalidateQueries({ queryKey: ME_KEY });
      break;
    default:
      break;
  }
}
