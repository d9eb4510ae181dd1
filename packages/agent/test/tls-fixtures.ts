// Test PKI made with the openssl CLI: two independent CAs, each with a server certificate for
// localhost and 127.0.0.1, so P1 can show that only the pinned CA is trusted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  readonly dir: string;
  /** The CA agents pin, and a server certificate it issued. */
  readonly caPem: string;
  readonly caFile: string;
  readonly serverKey: string;
  readonly serverCert: string;
  /** Another CA (think: a public one) and a certificate it issued for the same names. */
  readonly otherCaPem: string;
  readonly otherServerKey: string;
  readonly otherServerCert: string;
  /** A certificate from the pinned CA for a different host name. */
  readonly wrongNameKey: string;
  readonly wrongNameCert: string;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

function makeServer(dir: string, ca: string, name: string, san: string): void {
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'borealis-agent-pki-'));
  makeCa(dir, 'pinned-ca');
  makeCa(dir, 'other-ca');
  makeServer(dir, 'pinned-ca', 'server', 'DNS:localhost,IP:127.0.0.1');
  makeServer(dir, 'other-ca', 'other-server', 'DNS:localhost,IP:127.0.0.1');
  makeServer(dir, 'pinned-ca', 'wrong-name', 'DNS:elsewhere.example.com');
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  return {
    dir,
    caPem: read('pinned-ca.pem'),
    caFile: join(dir, 'pinned-ca.pem'),
    serverKey: read('server.key'),
    serverCert: read('server.pem'),
    otherCaPem: read('other-ca.pem'),
    otherServerKey: read('other-server.key'),
    otherServerCert: read('other-server.pem'),
    wrongNameKey: read('wrong-name.key'),
    wrongNameCert: read('wrong-name.pem'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
