// TLS material for the api role (ARCHITECTURE.md "TLS"): a configured certificate, else one under
// secrets/Certificates/, else a new local CA and a server certificate signed by it.

// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata polyfill.
import 'reflect-metadata';
import { createHash, createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import type { Clock } from './clock';
import type { EngineConfig } from './config';
import { ensureDir } from './runtime-paths';

export interface TlsMaterial {
  readonly key: string;
  readonly cert: string;
  /** The local CA, when the engine made its own (agents pin it with --engine-ca-pem). */
  readonly caPath: string | null;
  readonly caFingerprint: string | null;
  readonly generated: boolean;
}

type CryptoKey = webcrypto.CryptoKey;

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
const SERVER_VALIDITY_DAYS = 397;
const RENEW_BEFORE_DAYS = 30;

export async function loadOrCreateTls(deps: {
  config: EngineConfig;
  certificatesDir: string;
  clock: Clock;
}): Promise<TlsMaterial> {
  const { config, certificatesDir, clock } = deps;
  if (config.tlsCert && config.tlsKey) {
    return { key: readFileSync(config.tlsKey, 'utf8'), cert: readFileSync(config.tlsCert, 'utf8'), caPath: null, caFingerprint: null, generated: false };
  }
  ensureDir(certificatesDir, { secret: true });
  const files = {
    caCert: join(certificatesDir, 'ca.pem'),
    caKey: join(certificatesDir, 'ca.key'),
    cert: join(certificatesDir, 'server.pem'),
    key: join(certificatesDir, 'server.key'),
  };
  const names = subjectNames(config);
  const now = clock.now();

  x509.cryptoProvider.set(webcrypto as unknown as ReturnType<typeof x509.cryptoProvider.get>);
  let generated = false;
  if (!existsSync(files.caCert) || !existsSync(files.caKey)) {
    await createCa(files, now);
    generated = true;
  }
  if (generated || !existsSync(files.cert) || !existsSync(files.key) || !serverCertStillGood(readFileSync(files.cert, 'utf8'), names, now)) {
    await createServerCert(files, names, now);
    generated = true;
  }
  const caPem = readFileSync(files.caCert, 'utf8');
  return {
    key: readFileSync(files.key, 'utf8'),
    cert: readFileSync(files.cert, 'utf8'),
    caPath: files.caCert,
    caFingerprint: fingerprint(caPem),
    generated,
  };
}

/** SHA-256 of the certificate's DER, colon-separated upper-case hex. */
export function fingerprint(pem: string): string {
  const der = new X509Certificate(pem).raw;
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
}

function subjectNames(config: EngineConfig): string[] {
  const names = new Set<string>([hostname(), 'localhost', '127.0.0.1', '::1']);
  if (config.host !== '0.0.0.0' && config.host !== '::') names.add(config.host);
  if (config.publicUrl) names.add(new URL(config.publicUrl).hostname.replace(/^\[|\]$/g, ''));
  return [...names];
}

function serverCertStillGood(pem: string, names: readonly string[], now: Date): boolean {
  const cert = new X509Certificate(pem);
  if (new Date(cert.validTo).getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return false;
  return names.every((n) => (isIP(n) ? cert.checkIP(n) !== undefined : cert.checkHost(n) !== undefined));
}

async function createCa(files: { caCert: string; caKey: string }, now: Date): Promise<void> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=Borealis Engine Local CA (${hostname()})`,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + 3650 * DAY_MS),
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as unknown as CryptoKey),
    ],
  });
  writeSecret(files.caKey, await exportPrivateKey(keys.privateKey as unknown as CryptoKey));
  writeFileSync(files.caCert, cert.toString('pem') + '\n', { mode: 0o644 });
}

async function createServerCert(
  files: { caCert: string; caKey: string; cert: string; key: string },
  names: readonly string[],
  now: Date,
): Promise<void> {
  const ca = new x509.X509Certificate(readFileSync(files.caCert, 'utf8'));
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8',
    createPrivateKey(readFileSync(files.caKey, 'utf8')).export({ format: 'der', type: 'pkcs8' }),
    ALG,
    false,
    ['sign'],
  );
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${names[0]}`,
    issuer: ca.subject,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + SERVER_VALIDITY_DAYS * DAY_MS),
    publicKey: keys.publicKey as unknown as CryptoKey,
    signingKey: caKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: isIP(value) ? ('ip' as const) : ('dns' as const), value }))),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as unknown as CryptoKey),
    ],
  });
  writeSecret(files.key, await exportPrivateKey(keys.privateKey as unknown as CryptoKey));
  // The chain (server, then CA) so clients that only trust ca.pem can build the path.
  writeFileSync(files.cert, `${cert.toString('pem')}\n${ca.toString('pem')}\n`, { mode: 0o644 });
}

async function exportPrivateKey(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
}

function writeSecret(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
}
