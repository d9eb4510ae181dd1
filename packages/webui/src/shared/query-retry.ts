// Retry rule for the admin lists: an engine answer (403, 422, a cancelled second-factor check) is
// final; only a request that never reached the engine is worth one more try.
import { ApiError } from './api-client';

export function retryNetworkOnce(failures: number, error: Error): boolean {
  return error instanceof ApiError && error.kind === 'network' && failures < 1;
}
