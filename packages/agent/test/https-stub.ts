// A bare HTTPS listener for transport tests (P1 and CLI exit codes): it records each request's
// headers and answers from a small route table. Protocol behaviour is tested against the real
// engine in agent-engine.test.ts; this only stands in for "some TLS server".
import { createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type StubAnswer = { status: number; body?: unknown; headers?: Record<string, string> };

export interface HttpsStub {
  readonly port: number;
  readonly seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startHttpsStub(tls: { key: string; cert: string }, answer: (request: SeenRequest) => StubAnswer): Promise<HttpsStub> {
  const seen: SeenRequest[] = [];
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(request);
      const a = answer(request);
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body === undefined ? '' : JSON.stringify(a.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
