// Which pages may offer passkeys: host names yes, IP addresses no (with the localhost address to
// use instead on a loopback engine), and never without WebAuthn in the browser.
import { describe, expect, it } from 'vitest';
import { passkeyAvailabilityOf } from './passkey-availability';

const at = (url: string) => {
  const { protocol, hostname, port, pathname } = new URL(url);
  return { protocol, hostname, port, pathname };
};

describe('passkeyAvailabilityOf', () => {
  it('offers passkeys on a host name when the browser has WebAuthn', () => {
    expect(passkeyAvailabilityOf(at('http://localhost:5000/account/security'), true)).toEqual({ kind: 'available' });
    expect(passkeyAvailabilityOf(at('https://rmm.example.org/'), true)).toEqual({ kind: 'available' });
  });

  it('points a loopback IP address at the same page on localhost', () => {
    expect(passkeyAvailabilityOf(at('http://127.0.0.1:5000/account/security'), true)).toEqual({
      kind: 'ip_address',
      url: 'http://localhost:5000/account/security',
    });
    expect(passkeyAvailabilityOf(at('https://[::1]/'), false)).toEqual({ kind: 'ip_address', url: 'https://localhost/' });
  });

  it('has no address to suggest for a LAN IP address', () => {
    expect(passkeyAvailabilityOf(at('https://192.168.1.20:8443/'), true)).toEqual({ kind: 'ip_address', url: null });
    expect(passkeyAvailabilityOf(at('https://[fd00::5]/'), true)).toEqual({ kind: 'ip_address', url: null });
  });

  it('reports a browser without WebAuthn', () => {
    expect(passkeyAvailabilityOf(at('http://localhost:5000/'), false)).toEqual({ kind: 'unsupported' });
  });
});
