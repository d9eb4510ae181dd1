// Output of one stream (agent-protocol.md §6.5): a head and tail keeping the first and last halves
// of `output_max_bytes`, the total byte count, and live text cut into ≤64 KiB chunks that never
// split a UTF-8 code point (invalid bytes become U+FFFD through the streaming decoder).
import { StringDecoder } from 'node:string_decoder';

export const LIVE_CHUNK_MAX_BYTES = 64 * 1024;

export class OutputCapture {
  private readonly half: number;
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private readonly decoder = new StringDecoder('utf8');
  private live = '';
  total = 0;

  constructor(private readonly maxBytes: number) {
    this.half = Math.floor(maxBytes / 2);
  }

  write(data: Buffer): void {
    const liveAllowed = this.total < this.maxBytes;
    if (liveAllowed) {
      // Live chunks stop once the stream passes the cap.
      const room = this.maxBytes - this.total;
      this.live += this.decoder.write(data.length > room ? data.subarray(0, room) : data);
    }
    this.total += data.length;
    let rest = data;
    if (this.headBytes < this.half) {
      const take = Math.min(this.half - this.headBytes, rest.length);
      this.head.push(rest.subarray(0, take));
      this.headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0) return;
    this.tail.push(rest);
    this.tailBytes += rest.length;
    // Trim the tail to the last half once it is comfortably larger (amortised copies).
    if (this.tailBytes > this.maxBytes - this.half + LIVE_CHUNK_MAX_BYTES) this.trimTail();
  }

  private trimTail(): void {
    const keep = this.maxBytes - this.half;
    const all = Buffer.concat(this.tail);
    const kept = all.subarray(Math.max(0, all.length - keep));
    this.tail = [Buffer.from(kept)];
    this.tailBytes = kept.length;
  }

  /** Takes up to 64 KiB of pending live text, cut on a code point boundary; '' when none. */
  takeLive(): string {
    if (this.live === '') return '';
    if (Buffer.byteLength(this.live) <= LIVE_CHUNK_MAX_BYTES) {
      const out = this.live;
      this.live = '';
      return out;
    }
    let bytes = 0;
    let end = 0;
    for (const ch of this.live) {
      const n = Buffer.byteLength(ch);
      if (bytes + n > LIVE_CHUNK_MAX_BYTES) break;
      bytes += n;
      end += ch.length;
    }
    const out = this.live.slice(0, end);
    this.live = this.live.slice(end);
    return out;
  }

  hasLive(): boolean {
    return this.live !== '';
  }

  /** The stored text: everything, or head + marker + tail when the cap was passed. */
  finish(): { text: string; truncated: boolean; totalBytes: number } {
    this.trimTail();
    const head = Buffer.concat(this.head);
    if (this.total <= this.maxBytes) {
      return { text: Buffer.concat([head, ...this.tail]).toString('utf8'), truncated: false, totalBytes: this.total };
    }
    const tail = Buffer.concat(this.tail);
    const dropped = this.total - head.length - tail.length;
    return { text: `${head.toString('utf8')}\n[... truncated ${dropped} bytes ...]\n${tail.toString('utf8')}`, truncated: true, totalBytes: this.total };
  }
}
