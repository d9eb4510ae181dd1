// The engine origin rule of agent-protocol.md §1 and conformance test P1.

import { describe, expect, it } from 'vitest';
import { checkServerUrl } from './server-url';

const noPin = { hasPinnedCa: false };
const pinned = { hasPinnedCa: true };

describe('checkServerUrl', () => {
  it('normalises an https origin with a host name', () => {
    expect(checkServerUrl('https://RMM.Example.com:8443/', noPin)).toEqual({ ok: true, url: 'https://rmm.example.com:8443' });
  });

  it('refuses http even for loopback with a pinned CA', () => {
    expect(checkServerUrl('http://rmm.example.com', noPin).ok).toBe(false);
    expect(checkServerUrl('http://127.0.0.1:5000', pinned).ok).toBe(false);
  });

  it('accepts an IP literal or localhost only with a pinned CA', () => {
    for (const url of ['https://10.0.0.5', 'https://[::1]:5443', 'https://localhost:5000']) {
      expect(checkServerUrl(url, noPin).ok, url).toBe(false);
      expect(checkServerUrl(url, pinned).ok, url).toBe(true);
    }
  });

  it('refuses a path, query, credentials or a single-label host', () => {
    for (const url of ['https://rmm.example.com/api', 'https://rmm.example.com?x=1', 'https://u:p@rmm.example.com', 'https://rmm', 'not a url']) {
      expect(checkServerUrl(url, pinned).ok, url).toBe(false);
    }
  });
});
