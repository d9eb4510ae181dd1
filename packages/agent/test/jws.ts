// Reads the payload of a compact JWS (DPoP proofs in tests); no verification.
export function decodeCompactJwsPayload(jws: string): unknown {
  const payload = jws.split('.')[1];
  if (payload === undefined) throw new Error('not a compact JWS');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
}
