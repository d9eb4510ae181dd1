// A plain TLS endpoint for transport tests that need what the engine cannot present on purpose: a
// certificate from another CA or for another host name, or a clock an hour off. It is not an engine
// stand-in: it records each request as it arrived on the wire and answers 204 with no body.
import { createServer, type Server } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface WireRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The body, gunzipped when it came gzip-encoded. */
  readonly body: string;
}

export interface PlainTlsServer {
  readonly port: number;
  readonly seen: WireRequest[];
  close(): Promise<void>;
}

export async function startPlainTlsServer(tls: { key: string; cert: string }, options: { readonly date?: () => Date } = {}): Promise<PlainTlsServer> {
  const seen: WireRequest[] = [];
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(204, options.date ? { date: options.date().toUTCString() } : {});
      res.end();
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
