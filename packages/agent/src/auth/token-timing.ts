// When to refresh the access token (agent-protocol.md §3.1): at a random point between 70 % and
// 85 % of its lifetime, so a fleet that reconnected together spreads out, and always when under
// 60 s remain. `access_expires_at` is corrected now + expires_in − 5 s.

export const REFRESH_WINDOW = Object.freeze({ from: 0.7, to: 0.85 });
export const REFRESH_MIN_LEFT_MS = 60_000;
export const EXPIRY_MARGIN_MS = 5_000;

/** `access_expires_at` for a token received at corrected time `nowMs`. */
export function accessExpiresAt(nowMs: number, expiresInSeconds: number): number {
  return nowMs + expiresInSeconds * 1000 - EXPIRY_MARGIN_MS;
}

/** The corrected time at which to refresh a token obtained at `obtainedAtMs`; `random` ∈ [0, 1). */
export function chooseRefreshAt(obtainedAtMs: number, expiresAtMs: number, random: number): number {
  const lifetime = Math.max(0, expiresAtMs - obtainedAtMs);
  const spread = obtainedAtMs + lifetime * (REFRESH_WINDOW.from + (REFRESH_WINDOW.to - REFRESH_WINDOW.from) * random);
  return Math.min(spread, expiresAtMs - REFRESH_MIN_LEFT_MS);
}

/** True when a refresh is due: past the chosen point, or under 60 s left. */
export function isRefreshDue(nowMs: number, refreshAtMs: number, expiresAtMs: number): boolean {
  return nowMs >= refreshAtMs || expiresAtMs - nowMs < REFRESH_MIN_LEFT_MS;
}
