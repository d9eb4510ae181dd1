// Agent request bodies (agent-protocol §1): `Content-Encoding: gzip` is accepted, and the size limits
// (8 MiB for inventory, 256 KiB elsewhere) apply after decompression, through Fastify's bodyLimit.

import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { FastifyRequest, preParsingAsyncHookHandler } from 'fastify';
import { AppError } from '../../errors';

export const AGENT_BODY_LIMIT = 256 * 1024;
export const INVENTORY_BODY_LIMIT = 8 * 1024 * 1024;

/** preParsing hook: inflate a gzip body so the JSON parser and bodyLimit see the decompressed bytes. */
export const gunzipAgentBody: preParsingAsyncHookHandler = async (request: FastifyRequest, _reply, payload) => {
  const encoding = String(request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return payload;
  if (encoding !== 'gzip') throw new AppError('invalid_request', 'Content-Encoding must be gzip or identity');
  // The declared length is of the compressed bytes; drop it so Fastify counts what it inflates.
  delete request.headers['content-length'];
  const inflated = (payload as Readable).pipe(createGunzip());
  (payload as Readable).on('error', (err) => inflated.destroy(err));
  return inflated;
};
