// Request ids: echoed from X-Request-Id when it is a sane value, else a fresh uuid v7.

import type { IncomingMessage } from 'node:http';
import { v7 as uuidv7 } from 'uuid';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : uuidv7();
}
