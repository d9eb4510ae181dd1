// Output capture (agent-protocol.md §6.5): live chunks ≤64 KiB never split a code point, invalid
// bytes become U+FFFD, and the stored output is head + marker + tail past the cap.
import { describe, expect, it } from 'vitest';
import { LIVE_CHUNK_MAX_BYTES, OutputCapture } from './output-capture';

describe('OutputCapture', () => {
  it('cuts live text into ≤64 KiB chunks on code point boundaries, even when a write splits one', () => {
    const capture = new OutputCapture(1024 * 1024);
    const text = 'é€😀'.repeat(20_000); // 9 bytes per repeat: 180,000 bytes
    const bytes = Buffer.from(text);
    // Feed it in 1,000-byte writes, which split multi-byte characters.
    for (let i = 0; i < bytes.length; i += 1000) capture.write(bytes.subarray(i, i + 1000));
    const chunks: string[] = [];
    for (let c = capture.takeLive(); c !== ''; c = capture.takeLive()) chunks.push(c);
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) expect(Buffer.byteLength(c)).toBeLessThanOrEqual(LIVE_CHUNK_MAX_BYTES);
    expect(chunks.join('')).toBe(text);
    expect(capture.finish()).toEqual({ text, truncated: false, totalBytes: bytes.length });
  });

  it('turns invalid bytes into U+FFFD', () => {
    const capture = new OutputCapture(64 * 1024);
    capture.write(Buffer.from([0x61, 0xff, 0x62]));
    expect(capture.takeLive()).toBe('a\uFFFDb');
  });

  it('keeps the first and last half past the cap, with the dropped byte count', () => {
    const capture = new OutputCapture(64 * 1024);
    const data = Buffer.alloc(200 * 1024, 'x');
    data.fill('h', 0, 32 * 1024);
    data.fill('t', data.length - 32 * 1024);
    capture.write(data);
    const out = capture.finish();
    expect(out.truncated).toBe(true);
    expect(out.totalBytes).toBe(200 * 1024);
    expect(out.text).toBe(`${'h'.repeat(32 * 1024)}\n[... truncated ${136 * 1024} bytes ...]\n${'t'.repeat(32 * 1024)}`);
  });
});
