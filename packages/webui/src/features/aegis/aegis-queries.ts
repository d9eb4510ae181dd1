// Aegis status, polled every 2 s while a data-key rotation runs so its progress bar moves.
import type { AegisStatusSchema } from '@borealis/protocol';
import { useQuery } from '@tanstack/react-query';
import { retryNetworkOnce } from '../../shared/query-retry';
import { getAegisStatus } from './aegis-api';

export const AEGIS_STATUS_KEY = ['aegis', 'status'] as const;
export const ROTATION_POLL_MS = 2_000;

export type AegisStatus = ReturnType<(typeof AegisStatusSchema)['parse']>;

export function isRotationRunning(status: AegisStatus | undefined): boolean {
  return status?.rotation?.state === 'running';
}

export function useAegisStatus() {
  return useQuery({
    queryKey: AEGIS_STATUS_KEY,
    queryFn: ({ signal }) => getAegisStatus({ signal, background: true }),
    refetchInterval: (query) => (isRotationRunning(query.state.data) ? ROTATION_POLL_MS : false),
    retry: retryNetworkOnce,
  });
}
