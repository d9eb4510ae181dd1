// An engine error answer (api.md envelope) or a network failure, with what the reaction table of
// agent-protocol.md §3.3 needs: status, code, Retry-After, DPoP-Nonce and the server time.

export class AgentApiError extends Error {
  override readonly name = 'AgentApiError';
  constructor(
    /** HTTP status; 0 for a network failure or timeout. */
    readonly status: number,
    /** Error-envelope code (`token_expired`, …), `network` or `timeout`. */
    readonly code: string,
    message: string,
    readonly extra: { readonly retryAfterMs?: number; readonly dpopNonce?: string; readonly serverTimeMs?: number } = {},
  ) {
    super(message);
  }

  get isRetryable(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 429;
  }
}
